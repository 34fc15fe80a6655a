package dev.facebeam.results;

import dev.facebeam.UserInputException;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Which number a table shows (docs/results.md). The headline — no {@code --metric} — is each kind's
 * own: accuracy-flip for verification packs, rank-1 at the largest distractor set for MegaFace,
 * TAR at FAR=1e-4 for IJB, as InsightFace's tables put them side by side.
 */
public record Metric(String name) {
  public static final Metric HEADLINE = new Metric("headline");
  static final String NAMES = "accuracy_flip, accuracy, val, xnorm, rank1, tar@1e-6 … tar@1e-1";

  /** {@code accuracy_flip}, {@code accuracy}, {@code val}, {@code xnorm}, {@code rank1}, {@code tar@1e-4} (any of the standard FARs). */
  public static Metric parse(String option, String raw) {
    if (raw == null || raw.isBlank()) {
      return HEADLINE;
    }
    String m = raw.trim().toLowerCase(java.util.Locale.ROOT).replace('-', '_').replace("tar@far=", "tar@");
    if (m.equals("accuracy_flip") || m.equals("accuracy") || m.equals("val") || m.equals("xnorm") || m.equals("rank1")) {
      return new Metric(m);
    }
    if (m.startsWith("tar@")) {
      String far = farKey(m.substring(4).replace('_', '-'));
      if (far != null) {
        return new Metric("tar@" + far);
      }
    }
    throw new UserInputException(option, "unknown metric '" + raw + "' (metrics: " + NAMES + ")");
  }

  /** The standard FARs as the reports key them: Python's repr of the float. */
  public static final java.util.List<String> FARS = java.util.List.of("1e-06", "1e-05", "0.0001", "0.001", "0.01", "0.1");

  /** The FAR as the reports key it ("1e-06" … "0.1"), or null if it is not a standard one. */
  public static String farKey(String s) {
    try {
      double v = Double.parseDouble(s);
      for (String k : FARS) {
        if (Double.parseDouble(k) == v) {
          return k;
        }
      }
    } catch (NumberFormatException ignored) {
      // falls through: not a FAR
    }
    return null;
  }

  /** This metric's value in a record, or null where the record does not have it. */
  public Double of(ResultRecord r) {
    ResultRecord.Metrics m = r.metrics();
    String n = equals(HEADLINE) ? switch (r.kind()) {
      case ResultRecord.MEGAFACE -> "rank1";
      case ResultRecord.IJB, ResultRecord.ALL_PAIRS -> "tar@0.0001";
      default -> "accuracy_flip";
    } : name;
    return switch (n) {
      case "accuracy_flip" -> m.accuracyFlip() != null ? m.accuracyFlip() : r.kind().equals(ResultRecord.VERIFICATION) ? m.accuracy() : null;
      case "accuracy" -> m.accuracy();
      case "val" -> m.val();
      case "xnorm" -> m.xnorm();
      case "rank1" -> largest(m.rank1());
      default -> m.tarAtFar() == null ? null : m.tarAtFar().get(n.substring(4));
    };
  }

  /** The fold standard deviation of the value, where the protocol has folds. */
  public Double std(ResultRecord r) {
    ResultRecord.Metrics m = r.metrics();
    boolean verification = r.kind().equals(ResultRecord.VERIFICATION);
    if (!verification) {
      return null;
    }
    if (equals(HEADLINE) || name.equals("accuracy_flip")) {
      return m.accuracyFlip() != null ? m.accuracyFlipStd() : m.accuracyStd();
    }
    return switch (name) {
      case "accuracy" -> m.accuracyStd();
      case "val" -> m.valStd();
      default -> null;
    };
  }

  /** Shown as a percentage (all but XNorm, a raw norm). */
  public boolean percent() {
    return !name.equals("xnorm");
  }

  /** What the table's title says. */
  public String describe() {
    return switch (name) {
      case "headline" -> "Accuracy-Flip (%, 10-fold mean) on verification packs; MegaFace: rank-1 (%) at the largest"
          + " distractor set; IJB and all-pairs: TAR (%) at FAR=1e-4";
      case "accuracy_flip" -> "Accuracy-Flip (%, 10-fold mean)";
      case "accuracy" -> "Accuracy without flip (%, 10-fold mean)";
      case "val" -> "VAL (%) at FAR=1e-3, 10-fold mean";
      case "xnorm" -> "XNorm (mean embedding norm)";
      case "rank1" -> "MegaFace rank-1 (%) at the largest distractor set";
      default -> "TAR (%) at FAR=" + name.substring(4);
    };
  }

  /** The cell's text: percentages with two decimals as Python's {@code %.2f} rounds them; "–" where not measured. */
  public String format(Double v) {
    if (v == null || percent()) {
      return Percent.of(v);
    }
    return new BigDecimal(v).setScale(2, RoundingMode.HALF_EVEN).toPlainString();
  }

  private static Double largest(java.util.Map<String, Double> bySize) {
    if (bySize == null || bySize.isEmpty()) {
      return null;
    }
    String best = null;
    for (String k : bySize.keySet()) {
      if (best == null || Long.parseLong(k) > Long.parseLong(best)) {
        best = k;
      }
    }
    return bySize.get(best);
  }
}
