package dev.facebeam.codec.pickle;

import dev.facebeam.UserInputException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pickle reader (protocols 2–5) that runs no code: it rebuilds only plain data (None, bools, ints,
 * floats, str, bytes, tuples, lists, dicts) and the few globals that real face packs name — numpy's
 * array reconstruction and {@code _codecs.encode} (docs/pickle.md). Any other global is an error that
 * names it. Every length is checked against the bytes that remain before anything is allocated, so
 * the memory used is bounded by the input's size.
 *
 * <p>Python 2 {@code str} values come back as {@code byte[]}, as Python 3's {@code encoding='bytes'}
 * gives them (docs/pickle.md).
 */
public final class SafeUnpickler {

  /** The globals real packs use. Everything else is refused. */
  public static final Set<String> ALLOWED_GLOBALS = Set.of(
      "numpy.core.multiarray._reconstruct",
      "numpy._core.multiarray._reconstruct",
      "numpy.core.multiarray.scalar",
      "numpy._core.multiarray.scalar",
      "numpy.core.numeric._frombuffer",
      "numpy._core.numeric._frombuffer",
      "numpy.ndarray",
      "numpy.dtype",
      "_codecs.encode",
      "__builtin__.bytes",
      "builtins.bytes");

  private static final Object MARK = new Object() {
    @Override
    public String toString() {
      return "MARK";
    }
  };

  private final String source;
  private final byte[] in;
  private int pos;
  private final ArrayList<Object> stack = new ArrayList<>();
  private final Map<Long, Object> memo = new HashMap<>();

  private SafeUnpickler(String source, byte[] in) {
    this.source = source;
    this.in = in;
  }

  /** Unpickles {@code data}; {@code source} names the file in error messages. */
  public static Object load(byte[] data, String source) {
    return new SafeUnpickler(source, data).run();
  }

  private UserInputException error(int at, String message) {
    return new UserInputException(source + "@byte=" + at, message);
  }

  private Object run() {
    while (true) {
      if (pos >= in.length) {
        throw error(pos, "truncated pickle: no STOP opcode before the end of the data");
      }
      int at = pos;
      int op = in[pos++] & 0xFF;
      switch (op) {
        case 0x80 -> { // PROTO
          int proto = u1();
          if (proto > 5) {
            throw error(at, "unsupported pickle protocol " + proto);
          }
        }
        case 0x95 -> { // FRAME: a hint for buffering, but its length must be there, as CPython's _pickle requires
          need(8, at);
          long frame = ByteBuffer.wrap(in, pos, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
          pos += 8;
          if (frame < 0 || frame > in.length - pos) {
            throw error(at, "FRAME of " + Long.toUnsignedString(frame) + " bytes, but " + (in.length - pos)
                + " bytes follow (pickle data was truncated)");
          }
        }
        case '.' -> { // STOP
          if (stack.size() != 1) {
            throw error(at, "STOP with " + stack.size() + " values on the stack");
          }
          Object result = stack.get(0);
          checkNoMark(result, at);
          return result;
        }
        case '(' -> stack.add(MARK);
        case ')' -> push(new PyTuple(List.of()));
        case 't' -> push(new PyTuple(popToMark(at)));
        case 0x85 -> push(new PyTuple(popN(1, at)));
        case 0x86 -> push(new PyTuple(popN(2, at)));
        case 0x87 -> push(new PyTuple(popN(3, at)));
        case ']' -> push(new ArrayList<>());
        case 'l' -> push(new ArrayList<>(popToMark(at)));
        case 'a' -> {
          Object v = pop(at);
          asList(peek(at), at).add(v);
        }
        case 'e' -> {
          List<Object> items = popToMark(at);
          asList(peek(at), at).addAll(items);
        }
        case '}' -> push(new LinkedHashMap<>());
        case 'd' -> push(toDict(popToMark(at), new LinkedHashMap<>(), at));
        case 's' -> {
          Object v = pop(at);
          Object k = pop(at);
          asDict(peek(at), at).put(k, v);
        }
        case 'u' -> {
          List<Object> kv = popToMark(at);
          toDict(kv, asDict(peek(at), at), at);
        }
        case 0x8f -> push(new ArrayList<>()); // EMPTY_SET, kept as a list
        case 0x90 -> { // ADDITEMS
          List<Object> items = popToMark(at);
          asList(peek(at), at).addAll(items);
        }
        case 0x91 -> push(new ArrayList<>(popToMark(at))); // FROZENSET
        case 'N' -> push(null);
        case 0x88 -> push(Boolean.TRUE);
        case 0x89 -> push(Boolean.FALSE);
        case 'J' -> push((long) s4());
        case 'K' -> push((long) u1());
        case 'M' -> push((long) u2());
        case 0x8a -> push(longN(u1(), at)); // LONG1
        case 0x8b -> push(longN(len4(at), at)); // LONG4
        case 'G' -> {
          need(8, at);
          double d = ByteBuffer.wrap(in, pos, 8).order(ByteOrder.BIG_ENDIAN).getDouble();
          pos += 8;
          push(d);
        }
        case 'I' -> push(parseTextInt(line(at), at)); // INT (protocol 0, sometimes seen in old packs)
        case 'X' -> push(utf8(len4(at), at));
        case 0x8c -> push(utf8(u1(), at));
        case 0x8d -> push(utf8(len8(at), at));
        case 'T' -> push(bytes(len4(at), at)); // BINSTRING: Py2 str → bytes
        case 'U' -> push(bytes(u1(), at)); // SHORT_BINSTRING
        case 'B' -> push(bytes(len4(at), at));
        case 'C' -> push(bytes(u1(), at));
        case 0x8e -> push(bytes(len8(at), at));
        case 0x96 -> push(bytes(len8(at), at)); // BYTEARRAY8
        case 'c' -> {
          String module = line(at);
          String name = line(at);
          push(global(module, name, at));
        }
        case 0x93 -> { // STACK_GLOBAL
          Object name = pop(at);
          Object module = pop(at);
          push(global(asString(module, at), asString(name, at), at));
        }
        case 'R' -> { // REDUCE
          Object args = pop(at);
          Object callable = pop(at);
          push(call(callable, args, at));
        }
        case 'b' -> { // BUILD
          Object state = pop(at);
          build(peek(at), state, at);
        }
        case 0x81, 0x92 -> throw error(at, "NEWOBJ of " + describe(stack.isEmpty() ? null : stack.get(stack.size() - 1))
            + " is not allowed: face packs hold only numpy arrays, bytes and bools");
        case 'q' -> memo.put((long) u1(), peek(at));
        case 'r' -> memo.put(u4(), peek(at)); // LONG_BINPUT: a memo index, not a length
        case 0x94 -> memo.put((long) memo.size(), peek(at));
        case 'p' -> memo.put(parseTextInt(line(at), at), peek(at));
        case 'h' -> push(memoGet(u1(), at));
        case 'j' -> push(memoGet(u4(), at)); // LONG_BINGET
        case 'g' -> push(memoGet(parseTextInt(line(at), at), at));
        case '0' -> pop(at);
        case '1' -> popToMark(at);
        case '2' -> push(peek(at));
        case 'P', 'Q' -> throw error(at, "persistent ids are not allowed in a face pack");
        case 'i', 'o' -> throw error(at, "INST/OBJ opcodes build arbitrary objects and are not allowed");
        case 0x82, 0x83, 0x84 -> throw error(at, "extension-registry opcodes are not allowed");
        case 0x97, 0x98 -> throw error(at, "out-of-band buffers are not supported");
        default -> throw error(at, String.format("unknown or unsupported pickle opcode 0x%02X", op));
      }
    }
  }

  // ---- globals and calls -------------------------------------------------------------------

  private PyGlobal global(String module, String name, int at) {
    String q = module + "." + name;
    if (!ALLOWED_GLOBALS.contains(q)) {
      throw error(at, "pickle names the global '" + q + "', which is not on the allowlist of face-pack globals; refusing to load it");
    }
    return new PyGlobal(module, name);
  }

  private Object call(Object callable, Object args, int at) {
    if (!(callable instanceof PyGlobal g)) {
      throw error(at, "REDUCE on " + describe(callable) + ", which is not callable here");
    }
    if (!(args instanceof PyTuple t)) {
      throw error(at, "REDUCE arguments are " + describe(args) + ", not a tuple");
    }
    return switch (g.qualified()) {
      case "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct" -> {
        if (t.size() < 1 || !(t.get(0) instanceof PyGlobal cls) || !cls.qualified().equals("numpy.ndarray")) {
          throw error(at, "_reconstruct of something other than numpy.ndarray");
        }
        yield new NdArray();
      }
      case "numpy.core.numeric._frombuffer", "numpy._core.numeric._frombuffer" -> frombuffer(t, at);
      case "numpy.dtype" -> {
        if (t.size() < 1) {
          throw error(at, "numpy.dtype without a type name");
        }
        NpDtype d = new NpDtype(asString(t.get(0), at));
        if (d.itemSize() < 0) {
          throw error(at, "numpy dtype '" + d.name + "' is not a plain numeric type");
        }
        yield d;
      }
      case "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar" -> scalar(t, at);
      case "_codecs.encode" -> {
        if (t.size() != 2) {
          throw error(at, "_codecs.encode with " + t.size() + " arguments");
        }
        String text = asString(t.get(0), at);
        String enc = asString(t.get(1), at).toLowerCase().replace('_', '-');
        if (!enc.equals("latin1") && !enc.equals("latin-1") && !enc.equals("iso-8859-1")) {
          throw error(at, "_codecs.encode with encoding '" + enc + "' (only latin1 appears in packs)");
        }
        byte[] out = new byte[text.length()];
        for (int i = 0; i < out.length; i++) {
          char c = text.charAt(i);
          if (c > 0xFF) {
            throw error(at, "_codecs.encode: character U+" + Integer.toHexString(c) + " is not latin1");
          }
          out[i] = (byte) c;
        }
        yield out;
      }
      case "__builtin__.bytes", "builtins.bytes" -> {
        if (t.size() != 0) {
          throw error(at, "bytes(...) with arguments is not allowed");
        }
        yield new byte[0];
      }
      default -> throw error(at, g.qualified() + " cannot be called with REDUCE");
    };
  }

  /** numpy's protocol-5 form: {@code _frombuffer(buffer, dtype, shape, order)} with the buffer in band. */
  private NdArray frombuffer(PyTuple t, int at) {
    if (t.size() != 4 || !(t.get(0) instanceof byte[] data) || !(t.get(1) instanceof NpDtype dtype)
        || !(t.get(2) instanceof PyTuple shape)) {
      throw error(at, "numpy _frombuffer with unexpected arguments (only in-band buffers are supported)");
    }
    NdArray arr = new NdArray();
    arr.setState(checkedShape(shape, dtype, data.length, at), dtype.canonical(), data);
    return arr;
  }

  private long[] checkedShape(PyTuple shapeTuple, NpDtype dtype, int byteCount, int at) {
    long[] shape = new long[shapeTuple.size()];
    long count = 1;
    for (int i = 0; i < shape.length; i++) {
      if (!(shapeTuple.get(i) instanceof Long dim) || dim < 0) {
        throw error(at, "numpy array shape holds " + describe(shapeTuple.get(i)));
      }
      shape[i] = dim;
      count = Math.multiplyExact(count, dim);
    }
    long expected = Math.multiplyExact(count, (long) dtype.itemSize());
    if (expected != byteCount) {
      throw error(at, "numpy array of shape " + java.util.Arrays.toString(shape) + " and dtype " + dtype.name
          + " needs " + expected + " bytes but holds " + byteCount);
    }
    return shape;
  }

  private Object scalar(PyTuple t, int at) {
    if (t.size() != 2 || !(t.get(0) instanceof NpDtype d) || !(t.get(1) instanceof byte[] raw)) {
      throw error(at, "numpy scalar with unexpected arguments");
    }
    if (raw.length != d.itemSize()) {
      throw error(at, "numpy scalar of dtype " + d.name + " with " + raw.length + " bytes");
    }
    ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    return switch (d.canonical()) {
      case "b1" -> raw[0] != 0;
      case "u1" -> (long) (raw[0] & 0xFF);
      case "i1" -> (long) raw[0];
      case "i4" -> (long) b.getInt();
      case "u4" -> b.getInt() & 0xFFFFFFFFL;
      case "i8" -> b.getLong();
      case "f4" -> (double) b.getFloat();
      case "f8" -> b.getDouble();
      default -> throw error(at, "numpy scalar of dtype " + d.name + " is not supported");
    };
  }

  private void build(Object target, Object state, int at) {
    if (target instanceof NpDtype) {
      return; // (version, byteorder, ...): all face-pack dtypes are single-byte or little-endian
    }
    if (!(target instanceof NdArray arr)) {
      throw error(at, "BUILD on " + describe(target) + " is not allowed");
    }
    if (!(state instanceof PyTuple s) || s.size() != 5) {
      throw error(at, "numpy array state is not the 5-tuple (version, shape, dtype, fortran, data)");
    }
    if (!(s.get(1) instanceof PyTuple shapeTuple) || !(s.get(2) instanceof NpDtype dtype)) {
      throw error(at, "numpy array state without a shape tuple and a dtype");
    }
    Object data = s.get(4);
    byte[] bytes;
    if (data instanceof byte[] b) {
      bytes = b;
    } else if (data instanceof String str) {
      bytes = str.getBytes(StandardCharsets.ISO_8859_1);
    } else {
      throw error(at, "numpy array data is " + describe(data) + " (object arrays are not allowed)");
    }
    long[] shape = checkedShape(shapeTuple, dtype, bytes.length, at);
    arr.setState(shape, dtype.canonical(), bytes);
  }

  // ---- stack helpers -----------------------------------------------------------------------

  private void push(Object o) {
    stack.add(o);
  }

  private Object pop(int at) {
    if (stack.isEmpty()) {
      throw error(at, "stack underflow");
    }
    Object o = stack.remove(stack.size() - 1);
    if (o == MARK) {
      throw error(at, "unexpected MARK on the stack");
    }
    return o;
  }

  private Object peek(int at) {
    if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) {
      throw error(at, "stack underflow");
    }
    return stack.get(stack.size() - 1);
  }

  private List<Object> popN(int n, int at) {
    if (stack.size() < n) {
      throw error(at, "stack underflow");
    }
    List<Object> items = new ArrayList<>(stack.subList(stack.size() - n, stack.size()));
    for (Object o : items) {
      if (o == MARK) {
        throw error(at, "unexpected MARK on the stack");
      }
    }
    stack.subList(stack.size() - n, stack.size()).clear();
    return items;
  }

  private List<Object> popToMark(int at) {
    int m = stack.lastIndexOf(MARK);
    if (m < 0) {
      throw error(at, "no MARK on the stack");
    }
    List<Object> items = new ArrayList<>(stack.subList(m + 1, stack.size()));
    stack.subList(m, stack.size()).clear();
    return items;
  }

  private Object memoGet(long key, int at) {
    if (!memo.containsKey(key)) {
      throw error(at, "memo key " + key + " was never stored");
    }
    return memo.get(key);
  }

  private void checkNoMark(Object o, int at) {
    if (o == MARK) {
      throw error(at, "MARK left as the result");
    }
  }

  @SuppressWarnings("unchecked")
  private List<Object> asList(Object o, int at) {
    if (o instanceof List<?> l) {
      return (List<Object>) l;
    }
    throw error(at, "APPEND to " + describe(o));
  }

  @SuppressWarnings("unchecked")
  private Map<Object, Object> asDict(Object o, int at) {
    if (o instanceof Map<?, ?> m) {
      return (Map<Object, Object>) m;
    }
    throw error(at, "SETITEM on " + describe(o));
  }

  private Map<Object, Object> toDict(List<Object> kv, Map<Object, Object> into, int at) {
    if (kv.size() % 2 != 0) {
      throw error(at, "odd number of items for a dict");
    }
    for (int i = 0; i < kv.size(); i += 2) {
      into.put(kv.get(i), kv.get(i + 1));
    }
    return into;
  }

  private String asString(Object o, int at) {
    if (o instanceof String s) {
      return s;
    }
    if (o instanceof byte[] b) {
      return new String(b, StandardCharsets.ISO_8859_1);
    }
    throw error(at, "expected a string, got " + describe(o));
  }

  static String describe(Object o) {
    if (o == null) {
      return "None";
    }
    if (o instanceof PyGlobal g) {
      return g.qualified();
    }
    if (o instanceof byte[] b) {
      return "bytes[" + b.length + "]";
    }
    return o.getClass().getSimpleName();
  }

  // ---- reading -----------------------------------------------------------------------------

  private void need(long n, int at) {
    if (n < 0 || n > in.length - pos) {
      throw error(at, "truncated or corrupt pickle: an item claims " + n + " bytes but only " + (in.length - pos) + " remain");
    }
  }

  private int u1() {
    need(1, pos - 1);
    return in[pos++] & 0xFF;
  }

  private int u2() {
    need(2, pos - 1);
    int v = (in[pos] & 0xFF) | (in[pos + 1] & 0xFF) << 8;
    pos += 2;
    return v;
  }

  private int s4() {
    need(4, pos - 1);
    int v = ByteBuffer.wrap(in, pos, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    pos += 4;
    return v;
  }

  private long u4() {
    return s4() & 0xFFFFFFFFL;
  }

  private int len4(int at) {
    long v = u4();
    need(v, at);
    return (int) v;
  }

  private int len8(int at) {
    need(8, at);
    long v = ByteBuffer.wrap(in, pos, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    pos += 8;
    need(v, at);
    return (int) v;
  }

  private byte[] bytes(int n, int at) {
    need(n, at);
    byte[] b = new byte[n];
    System.arraycopy(in, pos, b, 0, n);
    pos += n;
    return b;
  }

  private String utf8(int n, int at) {
    need(n, at);
    try {
      String s = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(in, pos, n)).toString();
      pos += n;
      return s;
    } catch (CharacterCodingException e) {
      throw error(at, "string is not valid UTF-8");
    }
  }

  private Object longN(int n, int at) {
    need(n, at);
    if (n == 0) {
      return 0L;
    }
    byte[] be = new byte[n];
    for (int i = 0; i < n; i++) {
      be[i] = in[pos + n - 1 - i];
    }
    pos += n;
    BigInteger v = new BigInteger(be);
    return v.bitLength() < 64 ? (Object) v.longValue() : v;
  }

  private String line(int at) {
    int start = pos;
    int limit = Math.min(in.length, pos + 256);
    while (pos < limit && in[pos] != '\n') {
      pos++;
    }
    if (pos >= limit) {
      throw error(at, "unterminated text argument");
    }
    String s = new String(in, start, pos - start, StandardCharsets.ISO_8859_1);
    pos++;
    return s;
  }

  private long parseTextInt(String s, int at) {
    String t = s.strip();
    if (t.equals("00")) {
      return 0;
    }
    if (t.equals("01")) {
      return 1;
    }
    try {
      return Long.parseLong(t);
    } catch (NumberFormatException e) {
      throw error(at, "bad integer '" + t + "'");
    }
  }
}
