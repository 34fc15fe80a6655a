package dev.facebeam.io;

/**
 * Minimal JSON string quoting for the line-oriented files we write (no HTML-style escapes), and
 * the strict reader for files people write (configs): a key given twice is an error naming it,
 * where a lenient parser silently keeps the last.
 */
public final class Json {
  private Json() {}

  /**
   * Parses {@code text} as strict JSON (RFC 8259: no comments, no NaN, no unquoted names); a
   * duplicate key, a syntax error or trailing content is an IllegalArgumentException naming the
   * line and the key's path.
   */
  public static com.google.gson.JsonElement parseStrict(String text) {
    try (com.google.gson.stream.JsonReader r = new com.google.gson.stream.JsonReader(new java.io.StringReader(text))) {
      r.setStrictness(com.google.gson.Strictness.STRICT);
      com.google.gson.JsonElement e = read(r);
      if (r.peek() != com.google.gson.stream.JsonToken.END_DOCUMENT) {
        throw new IllegalArgumentException("content after the JSON value" + where(r));
      }
      return e;
    } catch (java.io.IOException | IllegalStateException | NumberFormatException e) {
      throw new IllegalArgumentException(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), e);
    }
  }

  private static String where(com.google.gson.stream.JsonReader r) {
    String s = r.toString(); // "JsonReader at line N column M path $.x"
    int at = s.indexOf(" at line ");
    return at < 0 ? "" : s.substring(at);
  }

  private static com.google.gson.JsonElement read(com.google.gson.stream.JsonReader r) throws java.io.IOException {
    switch (r.peek()) {
      case BEGIN_OBJECT -> {
        com.google.gson.JsonObject o = new com.google.gson.JsonObject();
        r.beginObject();
        while (r.hasNext()) {
          String name = r.nextName();
          if (o.has(name)) {
            throw new IllegalArgumentException("key '" + name + "' is given twice" + where(r));
          }
          o.add(name, read(r));
        }
        r.endObject();
        return o;
      }
      case BEGIN_ARRAY -> {
        com.google.gson.JsonArray a = new com.google.gson.JsonArray();
        r.beginArray();
        while (r.hasNext()) {
          a.add(read(r));
        }
        r.endArray();
        return a;
      }
      case STRING -> {
        return new com.google.gson.JsonPrimitive(r.nextString());
      }
      case NUMBER -> {
        return new com.google.gson.JsonPrimitive(new com.google.gson.internal.LazilyParsedNumber(r.nextString()));
      }
      case BOOLEAN -> {
        return new com.google.gson.JsonPrimitive(r.nextBoolean());
      }
      case NULL -> {
        r.nextNull();
        return com.google.gson.JsonNull.INSTANCE;
      }
      default -> throw new IllegalArgumentException("unexpected " + r.peek() + where(r));
    }
  }

  /** A number, or null for NaN and infinities (which JSON cannot hold). */
  public static String number(double v) {
    return Double.isFinite(v) ? Double.toString(v) : "null";
  }

  public static String array(double[] v) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < v.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(number(v[i]));
    }
    return sb.append("]").toString();
  }

  public static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }
}
