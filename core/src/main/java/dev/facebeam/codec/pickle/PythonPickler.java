package dev.facebeam.codec.pickle;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes plain data the way CPython 3's C pickler ({@code pickle.dump}) does, byte for byte, so a
 * pack we write is the file Python would have written (docs/pickle.md): the memo (every object put
 * once, later references by index, BINPUT/LONG_BINPUT below protocol 4 and MEMOIZE from 4), lists
 * appended in batches of 1000, TUPLE1–3, bytes as {@code _codecs.encode(text, 'latin1')} below
 * protocol 3, and from protocol 4 frames of about 64 KiB with payloads of 64 KiB or more outside
 * them.
 *
 * <p>Objects are {@code null}, {@link Boolean}, {@link Long}/{@link Integer}, {@link String},
 * {@code byte[]}, {@link PyTuple}, {@link List}, {@link Map} (a dict, in the map's order), {@link PyGlobal},
 * {@link PyReduce}, {@link PyNewObj} and {@link PyPersistentId}. The memo is
 * keyed by identity, as Python's is; where CPython shares one object for equal values (interned
 * names, strings of one latin-1 character, the empty bytes) pass the same Java instance —
 * {@link #text} and {@link #bytes} do that.
 */
public final class PythonPickler {
  private static final int FRAME_SIZE_TARGET = 64 * 1024;
  private static final int FRAME_SIZE_MIN = 4;
  private static final int FRAME_HEADER = 9;
  private static final int BATCH = 1000;
  private static final String[] LATIN1_CHARS = new String[256];
  private static final byte[][] C_BYTES = new byte[257][];

  static {
    for (int c = 0; c < 256; c++) {
      LATIN1_CHARS[c] = String.valueOf((char) c).intern();
      C_BYTES[c] = new byte[] {(byte) c};
    }
    C_BYTES[256] = new byte[0];
  }

  private final OutputStream sink;
  private final int protocol;
  private final Map<Object, Integer> memo = new IdentityHashMap<>();
  private final Map<String, Integer> globals = new java.util.HashMap<>();
  private byte[] buf = new byte[1 << 16];
  private int len;
  private int frameStart = -1;
  private boolean framing;

  private PythonPickler(OutputStream sink, int protocol) {
    if (protocol < 2 || protocol > 5) {
      throw new IllegalArgumentException("pickle protocol must be 2 to 5, got " + protocol);
    }
    this.sink = sink;
    this.protocol = protocol;
  }

  /** {@code pickle.dump(obj, sink, protocol)}. */
  public static void dump(Object obj, OutputStream sink, int protocol) throws IOException {
    PythonPickler p = new PythonPickler(sink, protocol);
    p.write(0x80);
    p.write(protocol);
    p.framing = protocol >= 4;
    p.save(obj);
    p.write('.');
    p.commitFrame();
    p.flush();
    sink.flush();
  }

  /** The string Python's latin-1 decoding gives: one shared instance for a single character, as CPython caches them. */
  public static String text(byte[] latin1) {
    return latin1.length == 1 ? LATIN1_CHARS[latin1[0] & 0xFF] : new String(latin1, StandardCharsets.ISO_8859_1);
  }

  /**
   * {@code b} itself, or CPython's one empty bytes object. (Bytes of length 1 are shared only when
   * made from a C char, as numpy's dummy typecode is; {@code bytes(bytearray(...))} makes new ones.)
   */
  public static byte[] bytes(byte[] b) {
    return b.length == 0 ? C_BYTES[256] : b;
  }

  /**
   * Bytes as C code makes them ({@code PyBytes_FromStringAndSize(ptr, n)}): CPython shares one
   * object for each single byte, so numpy's one-byte array data and its dummy typecode {@code b'b'}
   * are the same object.
   */
  public static byte[] cBytes(byte[] b) {
    return b.length == 0 ? C_BYTES[256] : b.length == 1 ? C_BYTES[b[0] & 0xFF] : b;
  }

  private void save(Object obj) throws IOException {
    opcodeBoundary(); // CPython closes a frame of 64 KiB or more as each object's save begins
    if (obj == null) {
      write('N');
    } else if (obj instanceof Boolean b) {
      write(b ? 0x88 : 0x89);
    } else if (obj instanceof Long || obj instanceof Integer) {
      saveLong(((Number) obj).longValue());
    } else if (obj instanceof PyGlobal g) {
      saveGlobal(g);
    } else if (memo.containsKey(obj)) {
      memoGet(memo.get(obj));
    } else if (obj instanceof byte[] b) {
      saveBytes(b);
    } else if (obj instanceof String s) {
      saveString(s);
    } else if (obj instanceof List<?> l) {
      saveList(l);
    } else if (obj instanceof PyTuple t) {
      saveTuple(t);
    } else if (obj instanceof PyReduce r) {
      saveReduce(r.callable, r.args, r.state, r);
    } else if (obj instanceof Map<?, ?> m) {
      saveDict(m);
    } else if (obj instanceof PyNewObj n) {
      save(n.cls());
      save(n.args());
      write(0x81); // NEWOBJ
      memoPut(n);
      if (n.state() != null) {
        save(n.state());
        write('b');
      }
    } else if (obj instanceof PyPersistentId id) {
      save(id.id());
      write('Q'); // BINPERSID: the loader's persistent_load resolves it; not memoised
    } else {
      throw new IllegalArgumentException("cannot pickle " + obj.getClass().getName());
    }
  }

  private void saveLong(long v) throws IOException {
    if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
      int i = (int) v;
      if ((i & 0xFFFF0000) != 0) {
        write('J');
        int4(i);
      } else if ((i & 0xFF00) != 0) {
        write('M');
        write(i);
        write(i >>> 8);
      } else {
        write('K');
        write(i);
      }
      return;
    }
    byte[] be = java.math.BigInteger.valueOf(v).toByteArray(); // minimal two's complement
    write(0x8a);
    write(be.length);
    for (int k = be.length - 1; k >= 0; k--) {
      write(be[k]);
    }
  }

  private void saveGlobal(PyGlobal g) throws IOException {
    Integer at = globals.get(g.qualified());
    if (at != null) {
      memoGet(at);
      return;
    }
    if (protocol >= 4) {
      save(g.module().intern());
      save(g.name().intern());
      write(0x93);
    } else {
      String module = protocol < 3 && g.module().equals("builtins") ? "__builtin__" : g.module();
      writeRaw(('c' + module + "\n" + g.name() + "\n").getBytes(StandardCharsets.US_ASCII));
    }
    globals.put(g.qualified(), memo.size());
    memoPut(new Object());
  }

  private void saveBytes(byte[] b) throws IOException {
    if (protocol < 3) {
      PyTuple args = b.length == 0
          ? new PyTuple(List.of())
          : new PyTuple(List.of(text(b), "latin1"));
      PyGlobal callable = b.length == 0 ? new PyGlobal("builtins", "bytes") : new PyGlobal("_codecs", "encode");
      saveReduce(callable, args, null, b);
      return;
    }
    if (b.length <= 0xFF) {
      writeWithPayload(new byte[] {'C', (byte) b.length}, b);
    } else {
      writeWithPayload(new byte[] {'B', (byte) b.length, (byte) (b.length >>> 8), (byte) (b.length >>> 16),
          (byte) (b.length >>> 24)}, b);
    }
    memoPut(b);
  }

  private void saveString(String s) throws IOException {
    byte[] u = s.getBytes(StandardCharsets.UTF_8);
    if (u.length <= 0xFF && protocol >= 4) {
      writeWithPayload(new byte[] {(byte) 0x8c, (byte) u.length}, u);
    } else {
      writeWithPayload(new byte[] {'X', (byte) u.length, (byte) (u.length >>> 8), (byte) (u.length >>> 16),
          (byte) (u.length >>> 24)}, u);
    }
    memoPut(s);
  }

  private void saveTuple(PyTuple t) throws IOException {
    int n = t.size();
    if (n == 0) {
      write(')');
      return;
    }
    if (n <= 3) {
      for (Object o : t.items()) {
        save(o);
      }
      write(0x84 + n); // TUPLE1..3
    } else {
      write('(');
      for (Object o : t.items()) {
        save(o);
      }
      write('t');
    }
    memoPut(t);
  }

  private void saveList(List<?> l) throws IOException {
    write(']');
    memoPut(l);
    if (l.size() == 1) {
      save(l.get(0));
      write('a');
      return;
    }
    for (int i = 0; i < l.size(); i += BATCH) {
      write('(');
      for (int j = i; j < Math.min(l.size(), i + BATCH); j++) {
        save(l.get(j));
      }
      write('e');
    }
  }

  private void saveDict(Map<?, ?> m) throws IOException {
    write('}');
    memoPut(m);
    List<? extends Map.Entry<?, ?>> entries = List.copyOf(m.entrySet());
    if (entries.size() == 1) {
      save(entries.get(0).getKey());
      save(entries.get(0).getValue());
      write('s');
      return;
    }
    for (int i = 0; i < entries.size(); i += BATCH) {
      write('(');
      for (int j = i; j < Math.min(entries.size(), i + BATCH); j++) {
        save(entries.get(j).getKey());
        save(entries.get(j).getValue());
      }
      write('u');
    }
  }

  private void saveReduce(PyGlobal callable, PyTuple args, Object state, Object obj) throws IOException {
    save(callable);
    save(args);
    write('R');
    memoPut(obj);
    if (state != null) {
      save(state);
      write('b');
    }
  }

  private void memoPut(Object obj) throws IOException {
    int idx = memo.size();
    memo.put(obj, idx);
    if (protocol >= 4) {
      write(0x94);
    } else if (idx < 256) {
      write('q');
      write(idx);
    } else {
      write('r');
      int4(idx);
    }
  }

  private void memoGet(int idx) throws IOException {
    if (idx < 256) {
      write('h');
      write(idx);
    } else {
      write('j');
      int4(idx);
    }
  }

  // ---- framing and output ------------------------------------------------------------------

  /** A payload of 64 KiB or more goes outside any frame, right after the current one is closed. */
  private void writeWithPayload(byte[] header, byte[] payload) throws IOException {
    if (framing && payload.length >= FRAME_SIZE_TARGET) {
      commitFrame();
      framing = false;
      writeRaw(header);
      writeRaw(payload);
      framing = true;
    } else {
      writeRaw(header);
      writeRaw(payload);
    }
  }

  private void opcodeBoundary() throws IOException {
    if (framing && frameStart >= 0 && len - frameStart - FRAME_HEADER >= FRAME_SIZE_TARGET) {
      commitFrame();
      flush();
    }
  }

  private void commitFrame() {
    if (!framing || frameStart < 0) {
      return;
    }
    int frameLen = len - frameStart - FRAME_HEADER;
    if (frameLen >= FRAME_SIZE_MIN) {
      buf[frameStart] = (byte) 0x95;
      for (int k = 0; k < 8; k++) {
        buf[frameStart + 1 + k] = (byte) (k < 4 ? frameLen >>> (8 * k) : 0);
      }
    } else {
      System.arraycopy(buf, frameStart + FRAME_HEADER, buf, frameStart, frameLen);
      len -= FRAME_HEADER;
    }
    frameStart = -1;
  }

  private void flush() throws IOException {
    if (frameStart < 0) {
      sink.write(buf, 0, len);
      len = 0;
    }
  }

  private void write(int b) throws IOException {
    ensure(1);
    buf[len++] = (byte) b;
  }

  private void int4(int v) throws IOException {
    write(v);
    write(v >>> 8);
    write(v >>> 16);
    write(v >>> 24);
  }

  private void writeRaw(byte[] b) throws IOException {
    ensure(b.length);
    System.arraycopy(b, 0, buf, len, b.length);
    len += b.length;
  }

  /** Opens a frame when framing and none is open, then makes room for n more bytes. */
  private void ensure(int n) throws IOException {
    if (framing && frameStart < 0) {
      flush();
      frameStart = len;
      grow(FRAME_HEADER);
      len += FRAME_HEADER;
    }
    if (!framing && frameStart < 0 && len + n > buf.length && len > 0) {
      flush();
    }
    grow(n);
  }

  private void grow(int n) {
    if (len + n > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
    }
  }
}
