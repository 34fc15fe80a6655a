package dev.facebeam.ijb;

import dev.facebeam.metrics.NumpySums;
import java.util.Arrays;

/**
 * A ROC curve as scikit-learn's {@code roc_curve} gives it with its defaults (docs/ijb.md): one
 * vertex per distinct score, descending; with more than two, intermediate vertices dropped where
 * neither the false nor the true positive count bends; (0, 0) prepended. From one sort of the scores.
 *
 * @param fpr false positive rate per vertex, ascending
 * @param tpr true positive rate per vertex
 * @param thresholds the score of each vertex (+∞ for the prepended one)
 */
public record RocCurve(double[] fpr, double[] tpr, double[] thresholds) {

  /** The curve of {@code scores} against {@code labels} (1 = genuine). */
  public static RocCurve of(double[] scores, byte[] labels) {
    int n = scores.length;
    // Descending by score; ties keep index order, which does not matter: a tie is one vertex.
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(scores[b], scores[a]));
    double[] fps = new double[n];
    double[] tps = new double[n];
    double[] thr = new double[n];
    int v = 0;
    long tp = 0;
    long fp = 0;
    for (int i = 0; i < n; i++) {
      int k = order[i];
      if (labels[k] == 1) {
        tp++;
      } else {
        fp++;
      }
      if (i == n - 1 || scores[order[i + 1]] != scores[k]) {
        fps[v] = fp;
        tps[v] = tp;
        thr[v] = scores[k];
        v++;
      }
    }
    int[] keep = new int[v];
    int kept = 0;
    for (int i = 0; i < v; i++) {
      boolean ends = v <= 2 || i == 0 || i == v - 1;
      if (ends || fps[i - 1] - 2 * fps[i] + fps[i + 1] != 0 || tps[i - 1] - 2 * tps[i] + tps[i + 1] != 0) {
        keep[kept++] = i;
      }
    }
    double[] fpr = new double[kept + 1];
    double[] tpr = new double[kept + 1];
    double[] t = new double[kept + 1];
    t[0] = Double.POSITIVE_INFINITY;
    double fpAll = fps[v - 1];
    double tpAll = tps[v - 1];
    for (int i = 0; i < kept; i++) {
      fpr[i + 1] = fpAll > 0 ? fps[keep[i]] / fpAll : Double.NaN;
      tpr[i + 1] = tpAll > 0 ? tps[keep[i]] / tpAll : Double.NaN;
      t[i + 1] = thr[keep[i]];
    }
    if (fpAll <= 0) {
      fpr[0] = Double.NaN;
    }
    if (tpAll <= 0) {
      tpr[0] = Double.NaN;
    }
    return new RocCurve(fpr, tpr, t);
  }

  /** Trapezoidal area under the vertices ({@code sklearn.metrics.auc}: np.trapezoid, summed pairwise). */
  public double auc() {
    double[] parts = new double[fpr.length - 1];
    for (int i = 0; i < parts.length; i++) {
      parts[i] = (fpr[i + 1] - fpr[i]) * (tpr[i + 1] + tpr[i]) / 2.0;
    }
    return NumpySums.pairwise(parts, 0, parts.length);
  }

  /**
   * InsightFace's TAR at FAR {@code far} (eval_ijbc.py): over the vertices in reverse order, the
   * one whose FPR is nearest to {@code far}, the first on ties — the nearest vertex, which may lie above it.
   */
  public double insightFaceTar(double far) {
    int best = -1;
    double bestDistance = Double.POSITIVE_INFINITY;
    for (int r = 0; r < fpr.length; r++) {
      int i = fpr.length - 1 - r;
      double distance = Math.abs(fpr[i] - far);
      if (distance < bestDistance) {
        bestDistance = distance;
        best = i;
      }
    }
    return tpr[best];
  }

  /** The standard definition: the highest TAR among vertices with FPR ≤ {@code far}, and its threshold. */
  public Operating highestTarAtMost(double far) {
    double tar = 0;
    double threshold = Double.POSITIVE_INFINITY;
    double at = 0;
    for (int i = 0; i < fpr.length; i++) {
      if (fpr[i] <= far && tpr[i] >= tar) {
        tar = tpr[i];
        threshold = thresholds[i];
        at = fpr[i];
      }
    }
    return new Operating(tar, at, threshold);
  }

  /** A point of the curve: TAR, its FAR, and the score threshold (same iff score ≥ threshold). */
  public record Operating(double tar, double far, double threshold) {}
}
