package dev.facebeam.codec.pack;

/**
 * The one rule for identity labels read from a pack (issue 23): a class index — a whole number, not
 * negative, and below the class count the pack declares where it declares one. Anything else is a
 * reject with this reason, never a face with a label training would index out of range.
 */
public final class Labels {
  /** Labels are kept as int64; a float label beyond 2^53 is no longer a whole number anyone wrote. */
  private static final double MAX_EXACT = 9007199254740992d;

  private Labels() {}

  /** Why {@code label} is not a class index below {@code classes} (0 = not declared), or null when it is. */
  public static String problem(double label, long classes, String declaredBy) {
    if (!Double.isFinite(label)) {
      return "label is not a finite number";
    }
    if (label < 0) {
      return "label " + plain(label) + " is negative";
    }
    if (label != Math.rint(label)) {
      return "label " + plain(label) + " is not a whole number";
    }
    if (label >= MAX_EXACT) {
      return "label " + plain(label) + " is too large to be a class index";
    }
    if (classes > 0 && label >= classes) {
      return "label " + plain(label) + " is not below the " + classes + " classes " + declaredBy + " declares";
    }
    return null;
  }

  private static String plain(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }
}
