package dev.facebeam.config;

import dev.facebeam.UserInputException;
import java.util.ArrayList;
import java.util.List;

/**
 * Option values as the commands read them: comma lists, and range checks — a value out of range is
 * an error naming the option, not a crash later.
 */
public final class Options {
  private Options() {}

  /** The items of a comma-separated value, stripped; empty items (a trailing comma) are dropped. */
  public static List<String> list(String value) {
    List<String> out = new ArrayList<>();
    if (value != null) {
      for (String part : value.split(",")) {
        if (!part.isBlank()) {
          out.add(part.strip());
        }
      }
    }
    return out;
  }

  /** An integer in [min, max]. */
  public static long number(String option, String value, long min, long max) {
    long v;
    try {
      v = Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      throw new UserInputException(option, "'" + value + "' is not an integer");
    }
    if (v < min || v > max) {
      throw new UserInputException(option, value + " is out of range: " + min + " to " + max);
    }
    return v;
  }

  /** A rate in (0, 1]. */
  public static double fraction(String option, String value) {
    double v;
    try {
      v = Double.parseDouble(value.strip());
    } catch (NumberFormatException e) {
      throw new UserInputException(option, "'" + value + "' is not a number");
    }
    if (!(v > 0 && v <= 1)) {
      throw new UserInputException(option, value + " is out of range: a rate above 0 and at most 1");
    }
    return v;
  }
}
