package dev.facebeam.results;

import dev.facebeam.metrics.RocCurve;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A ROC reduced to what a log-FAR plot and a results table need (docs/results.md): the highest TAR
 * at FAR ≤ x on a grid of 20 points per decade from 1e-6 to 1, and at the standard FARs. A FAR below
 * one false accept in the benchmark's different-identity pairs is not resolvable there: left out of
 * the grid, null in the table.
 */
public final class RocSample {
  static final int PER_DECADE = 20;

  private RocSample() {}

  /** The curve on the log grid, or null when there are no different-identity pairs (or no same-identity ones). */
  public static ResultRecord.Curve curve(RocCurve roc, long negatives, long positives) {
    if (negatives <= 0 || positives <= 0) {
      return null;
    }
    List<Double> far = new ArrayList<>();
    List<Double> tar = new ArrayList<>();
    for (int k = 0; k <= 6 * PER_DECADE; k++) {
      double x = Math.pow(10, -6 + (double) k / PER_DECADE);
      if (x * negatives >= 1) {
        far.add(x);
        tar.add(roc.highestTarAtMost(x).tar());
      }
    }
    return new ResultRecord.Curve(far, tar);
  }

  /** The highest TAR at FAR ≤ each standard FAR, keyed "1e-06" … "0.1"; null where not resolvable. */
  public static Map<String, Double> tarAtFar(RocCurve roc, long negatives, long positives) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (String key : Metric.FARS) {
      double x = Double.parseDouble(key);
      out.put(key, negatives > 0 && positives > 0 && x * negatives >= 1 ? roc.highestTarAtMost(x).tar() : null);
    }
    return out;
  }
}
