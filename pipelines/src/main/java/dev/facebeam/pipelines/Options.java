package dev.facebeam.pipelines;

import dev.facebeam.codec.CodecException;

/** Range checks for option values: a value out of range is an error naming the option, not a crash later. */
public final class Options {
  private Options() {}

  /** An integer in [min, max]. */
  public static long number(String option, String value, long min, long max) {
    long v;
    try {
      v = Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      throw new CodecException(option, "'" + value + "' is not an integer");
    }
    if (v < min || v > max) {
      throw new CodecException(option, value + " is out of range: " + min + " to " + max);
    }
    return v;
  }

  /** A rate in (0, 1]. */
  public static double fraction(String option, String value) {
    double v;
    try {
      v = Double.parseDouble(value.strip());
    } catch (NumberFormatException e) {
      throw new CodecException(option, "'" + value + "' is not a number");
    }
    if (!(v > 0 && v <= 1)) {
      throw new CodecException(option, value + " is out of range: a rate above 0 and at most 1");
    }
    return v;
  }
}
