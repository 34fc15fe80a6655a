package dev.facebeam.codec.export;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * NumPy {@code .npy} version 1.0 of little-endian float32 in C order: the magic, a header dict padded
 * with spaces to a 64-byte boundary (as numpy writes it), then the data.
 */
public final class NpyWriter implements AutoCloseable {
  private final OutputStream out;
  private final long expected;
  private long written;
  private final ByteBuffer buf = ByteBuffer.allocate(4 * 1024).order(ByteOrder.LITTLE_ENDIAN);

  public NpyWriter(Path file, long... shape) throws IOException {
    this.out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
    long n = 1;
    for (long x : shape) {
      n *= x;
    }
    this.expected = n;
    out.write(header(shape));
  }

  /** The header numpy writes for a little-endian float32 C-order array of this shape. */
  public static byte[] header(long... shape) {
    StringBuilder s = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) {
      s.append(shape[i]).append(shape.length == 1 ? "," : i < shape.length - 1 ? ", " : "");
    }
    s.append(")");
    return header("{'descr': '<f4', 'fortran_order': False, 'shape': " + s + ", }");
  }

  static byte[] header(String dict) {
    int unpadded = 6 + 2 + 2 + dict.length() + 1;
    int total = (unpadded + 63) / 64 * 64;
    StringBuilder h = new StringBuilder(dict);
    while (6 + 2 + 2 + h.length() + 1 < total) {
      h.append(' ');
    }
    h.append('\n');
    ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
    b.putShort((short) h.length()).put(h.toString().getBytes(StandardCharsets.US_ASCII));
    return b.array();
  }

  public void write(float[] values) throws IOException {
    for (float v : values) {
      if (!buf.hasRemaining()) {
        out.write(buf.array(), 0, buf.position());
        buf.clear();
      }
      buf.putFloat(v);
    }
    written += values.length;
  }

  public void write(Iterable<Float> values) throws IOException {
    for (float v : values) {
      write(new float[] {v});
    }
  }

  @Override
  public void close() throws IOException {
    out.write(buf.array(), 0, buf.position());
    buf.clear();
    out.close();
    if (written != expected) {
      throw new IOException("npy shape holds " + expected + " values but " + written + " were written");
    }
  }
}
