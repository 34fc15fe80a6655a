package dev.facebeam.results;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * A fraction shown as a percentage with two decimals, rounded as Python's {@code '%.2f' % (100 * v)}
 * rounds: half-even on the exact binary value of {@code 100 * v} (0.90005 → 90.00, where rounding
 * the shortest decimal "90.005" half-up, as Java's {@code %.2f} does, gives 90.01). Every table
 * facebeam prints goes through here, so the same number never shows two ways (docs/results.md).
 */
public final class Percent {
  private Percent() {}

  /** "–" for null. */
  public static String of(Double fraction) {
    return fraction == null ? "–" : rounded(fraction).toPlainString();
  }

  /** 100 · {@code fraction}, rounded to two decimals the Python way. */
  public static BigDecimal rounded(double fraction) {
    return new BigDecimal(fraction * 100).setScale(2, RoundingMode.HALF_EVEN);
  }
}
