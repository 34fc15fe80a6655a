package dev.facebeam.codec.pickle;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes a verification pack {@code (bins, issame_list)} as Python's pickler would (spec §2.1):
 * protocol 2 (bytes through {@code _codecs.encode}, as Python 3 writes them at protocol 2) or
 * protocol 4 (BINBYTES), with each image either as {@code bytes} or as an (N, 1) numpy uint8 array
 * like {@code cv2.imencode} gives.
 */
public final class PickleWriter {

  /** How each element of {@code bins} is stored. */
  public enum ElementForm { BYTES, NUMPY_UINT8 }

  private final OutputStream out;
  private final int protocol;

  private PickleWriter(OutputStream out, int protocol) {
    if (protocol != 2 && protocol != 4) {
      throw new IllegalArgumentException("pickle protocol must be 2 or 4, got " + protocol);
    }
    this.out = out;
    this.protocol = protocol;
  }

  public static void writePack(OutputStream out, List<byte[]> bins, boolean[] issame, int protocol, ElementForm form)
      throws IOException {
    new PickleWriter(out, protocol).pack(bins, issame, form);
  }

  public static byte[] packBytes(List<byte[]> bins, boolean[] issame, int protocol, ElementForm form) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try {
      writePack(b, bins, issame, protocol, form);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return b.toByteArray();
  }

  private void pack(List<byte[]> bins, boolean[] issame, ElementForm form) throws IOException {
    out.write(0x80);
    out.write(protocol);
    out.write(']');
    for (int i = 0; i < bins.size(); i += 1000) {
      out.write('(');
      for (int j = i; j < Math.min(bins.size(), i + 1000); j++) {
        if (form == ElementForm.BYTES) {
          bytes(bins.get(j));
        } else {
          numpyUint8(bins.get(j));
        }
      }
      out.write('e');
    }
    out.write(']');
    for (int i = 0; i < issame.length; i += 1000) {
      out.write('(');
      for (int j = i; j < Math.min(issame.length, i + 1000); j++) {
        out.write(issame[j] ? 0x88 : 0x89);
      }
      out.write('e');
    }
    out.write(0x86); // TUPLE2
    out.write('.');
    out.flush();
  }

  private void bytes(byte[] b) throws IOException {
    if (protocol >= 3) {
      if (b.length < 256) {
        out.write('C');
        out.write(b.length);
      } else {
        out.write('B');
        int4(b.length);
      }
      out.write(b);
      return;
    }
    if (b.length == 0) {
      global("__builtin__", "bytes");
      out.write(')');
      out.write('R');
      return;
    }
    // Protocol 2 has no bytes type: Python 3 writes _codecs.encode(latin1 text, 'latin1').
    global("_codecs", "encode");
    unicode(new String(b, StandardCharsets.ISO_8859_1));
    unicode("latin1");
    out.write(0x86);
    out.write('R');
  }

  private void numpyUint8(byte[] b) throws IOException {
    global("numpy.core.multiarray", "_reconstruct");
    global("numpy", "ndarray");
    out.write('K');
    out.write(0);
    out.write(0x85); // (0,)
    bytes("b".getBytes(StandardCharsets.US_ASCII));
    out.write(0x87); // TUPLE3
    out.write('R');
    out.write('(');
    out.write('K');
    out.write(1);
    longValue(b.length);
    out.write('K');
    out.write(1);
    out.write(0x86); // shape (n, 1), as cv2.imencode returns it
    global("numpy", "dtype");
    unicode("u1");
    out.write(0x89);
    out.write(0x88);
    out.write(0x87);
    out.write('R');
    out.write('(');
    out.write('K');
    out.write(3);
    unicode("|");
    out.write('N');
    out.write('N');
    out.write('N');
    out.write('J');
    int4(-1);
    out.write('J');
    int4(-1);
    out.write('K');
    out.write(0);
    out.write('t');
    out.write('b'); // dtype state
    out.write(0x89); // not fortran order
    bytes(b);
    out.write('t');
    out.write('b'); // array state
  }

  private void longValue(int v) throws IOException {
    if (v < 256) {
      out.write('K');
      out.write(v);
    } else if (v < 65536) {
      out.write('M');
      out.write(v & 0xFF);
      out.write(v >>> 8);
    } else {
      out.write('J');
      int4(v);
    }
  }

  private void global(String module, String name) throws IOException {
    out.write('c');
    out.write((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
  }

  private void unicode(String s) throws IOException {
    byte[] u = s.getBytes(StandardCharsets.UTF_8);
    out.write('X');
    int4(u.length);
    out.write(u);
  }

  private void int4(int v) throws IOException {
    out.write(v);
    out.write(v >>> 8);
    out.write(v >>> 16);
    out.write(v >>> 24);
  }
}
