package dev.facebeam.metrics;

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
    // One sort per class, then one descending walk over both: primitive sorts, no index objects.
    int genuine = 0;
    for (byte l : labels) {
      genuine += l == 1 ? 1 : 0;
    }
    double[] g = new double[genuine];
    double[] im = new double[scores.length - genuine];
    int a = 0;
    int b = 0;
    for (int i = 0; i < scores.length; i++) {
      if (labels[i] == 1) {
        g[a++] = scores[i];
      } else {
        im[b++] = scores[i];
      }
    }
    java.util.Arrays.parallelSort(g); // the same order as sort's, on every core: 15.66 M scores at IJB-C size
    java.util.Arrays.parallelSort(im);
    int n = scores.length;
    int[] fps = new int[n]; // counts, at most n each
    int[] tps = new int[n];
    double[] thr = new double[n];
    int v = 0;
    int gi = g.length - 1;
    int ii = im.length - 1;
    int tp = 0;
    int fp = 0;
    while (gi >= 0 || ii >= 0) {
      // the next distinct score, highest first; -0.0 and 0.0 are one score, as np.diff sees them
      double s = gi < 0 ? im[ii] : ii < 0 ? g[gi] : Math.max(g[gi], im[ii]);
      while (gi >= 0 && g[gi] == s) {
        tp++;
        gi--;
      }
      while (ii >= 0 && im[ii] == s) {
        fp++;
        ii--;
      }
      fps[v] = fp;
      tps[v] = tp;
      thr[v] = s;
      v++;
    }
    g = null; // the sorted copies are done with: at IJB-C size they are 125 MB
    im = null;
    int[] keep = new int[v];
    int kept = 0;
    for (int i = 0; i < v; i++) {
      boolean ends = v <= 2 || i == 0 || i == v - 1;
      if (ends || fps[i - 1] - 2L * fps[i] + fps[i + 1] != 0 || tps[i - 1] - 2L * tps[i] + tps[i + 1] != 0) {
        keep[kept++] = i;
      }
    }
    double[] fpr = new double[kept + 1];
    double[] tpr = new double[kept + 1];
    double[] t = new double[kept + 1];
    t[0] = Double.POSITIVE_INFINITY;
    double fpAll = v == 0 ? 0 : fps[v - 1];
    double tpAll = v == 0 ? 0 : tps[v - 1];
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
