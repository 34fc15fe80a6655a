package dev.facebeam.io;

/** Minimal JSON string quoting for the line-oriented files we write (no HTML-style escapes). */
public final class Json {
  private Json() {}

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
