package dev.facebeam.metrics;

import java.util.Arrays;

/**
 * InsightFace's {@code verification.py} protocol, exactly (docs/verification.md, docs/decisions.md):
 * squared L2 distances of unit vectors; 10 contiguous folds (KFold without shuffling: the first
 * P mod 10 folds one pair longer); thresholds 0.00 … 3.99 by 0.01; "same" iff distance &lt; threshold;
 * the first best threshold on the nine training folds; accuracy on the test fold; mean and
 * population standard deviation. VAL at FAR 1e-3 uses 4,000 thresholds by 0.001 and scipy's
 * {@code interp1d(far, thresholds, kind='slinear')} on the training folds.
 */
public final class VerificationProtocol {
  public static final int FOLDS = 10;
  public static final double FAR_TARGET = 1e-3;

  private VerificationProtocol() {}

  /** np.arange(0, 4, step): start + i·step. */
  static double[] thresholds(double step, int count) {
    double[] t = new double[count];
    for (int i = 0; i < count; i++) {
      t[i] = i * step;
    }
    return t;
  }

  public static final double[] ACCURACY_THRESHOLDS = thresholds(0.01, 400);
  public static final double[] VAL_THRESHOLDS = thresholds(0.001, 4000);

  /** Everything the protocol computes. VAL/FAR are NaN when a fold lacks a class (Python would divide by zero). */
  public record Result(int pairs, double[] foldAccuracy, double[] bestThresholds, double accuracy, double accuracyStd,
      double[] tpr, double[] fpr, double[] foldVal, double[] foldFar, double val, double valStd, double far) {}

  /** sklearn KFold(n_splits=10, shuffle=False): fold k is [start_k, end_k). */
  public static int[][] folds(int pairs) {
    if (pairs < FOLDS) {
      throw new IllegalArgumentException(pairs + " pairs: the 10-fold protocol needs at least 10");
    }
    int[][] f = new int[FOLDS][2];
    int start = 0;
    for (int k = 0; k < FOLDS; k++) {
      int size = pairs / FOLDS + (k < pairs % FOLDS ? 1 : 0);
      f[k][0] = start;
      f[k][1] = start + size;
      start += size;
    }
    return f;
  }

  public static Result evaluate(float[] dist, boolean[] issame) {
    int n = dist.length;
    if (issame.length != n) {
      throw new IllegalArgumentException(n + " distances for " + issame.length + " pair labels");
    }
    for (float d : dist) {
      if (!Float.isFinite(d)) {
        throw new IllegalArgumentException("a pair distance is NaN or infinite");
      }
    }
    int[][] folds = folds(n);
    int nt = ACCURACY_THRESHOLDS.length;
    double[] acc = new double[FOLDS];
    double[] best = new double[FOLDS];
    double[][] tprs = new double[FOLDS][nt];
    double[][] fprs = new double[FOLDS][nt];
    double[] val = new double[FOLDS];
    double[] far = new double[FOLDS];
    for (int k = 0; k < FOLDS; k++) {
      int lo = folds[k][0];
      int hi = folds[k][1];
      int bestIndex = 0;
      double bestAcc = -1;
      for (int t = 0; t < nt; t++) {
        double a = confusion(dist, issame, ACCURACY_THRESHOLDS[t], lo, hi, false).accuracy();
        if (a > bestAcc) { // strict: the first (lowest) threshold among ties, as np.argmax
          bestAcc = a;
          bestIndex = t;
        }
      }
      for (int t = 0; t < nt; t++) {
        Confusion c = confusion(dist, issame, ACCURACY_THRESHOLDS[t], lo, hi, true);
        tprs[k][t] = c.tpr();
        fprs[k][t] = c.fpr();
      }
      best[k] = ACCURACY_THRESHOLDS[bestIndex];
      acc[k] = confusion(dist, issame, best[k], lo, hi, true).accuracy();
      double[] farTrain = new double[VAL_THRESHOLDS.length];
      double maxFar = 0;
      for (int t = 0; t < VAL_THRESHOLDS.length; t++) {
        farTrain[t] = confusion(dist, issame, VAL_THRESHOLDS[t], lo, hi, false).far();
        maxFar = Math.max(maxFar, farTrain[t]);
      }
      if (Double.isNaN(maxFar)) {
        // No different-identity pairs to train on: FAR, and so VAL at a FAR, is undefined.
        val[k] = Double.NaN;
        far[k] = Double.NaN;
        continue;
      }
      double threshold = maxFar >= FAR_TARGET ? slinear(farTrain, VAL_THRESHOLDS, FAR_TARGET) : 0.0;
      Confusion test = confusion(dist, issame, threshold, lo, hi, true);
      val[k] = test.val();
      far[k] = test.far();
    }
    return new Result(n, acc, best, mean(acc), std(acc), meanColumns(tprs), meanColumns(fprs), val, far,
        mean(val), std(val), mean(far));
  }

  /** Counts over the test fold [lo, hi) or, with {@code test=false}, over every other pair. */
  static Confusion confusion(float[] dist, boolean[] issame, double threshold, int lo, int hi, boolean test) {
    long tp = 0;
    long fp = 0;
    long tn = 0;
    long fn = 0;
    for (int i = 0; i < dist.length; i++) {
      boolean inFold = i >= lo && i < hi;
      if (inFold != test) {
        continue;
      }
      boolean predict = dist[i] < threshold; // float32 distance promoted to double, as numpy does
      if (predict && issame[i]) {
        tp++;
      } else if (predict) {
        fp++;
      } else if (issame[i]) {
        fn++;
      } else {
        tn++;
      }
    }
    return new Confusion(tp, fp, tn, fn);
  }

  /** One threshold's counts and the rates verification.py derives from them. */
  record Confusion(long tp, long fp, long tn, long fn) {
    double accuracy() {
      return (double) (tp + tn) / (tp + fp + tn + fn);
    }

    double tpr() {
      return tp + fn == 0 ? 0 : (double) tp / (tp + fn);
    }

    double fpr() {
      return fp + tn == 0 ? 0 : (double) fp / (fp + tn);
    }

    /** calculate_val_far: NaN where Python would divide by zero. */
    double val() {
      return tp + fn == 0 ? Double.NaN : (double) tp / (tp + fn);
    }

    double far() {
      return fp + tn == 0 ? Double.NaN : (double) fp / (fp + tn);
    }
  }

  /**
   * scipy's {@code interp1d(x, y, kind='slinear')(p)} for non-decreasing x with repeats: a degree-1
   * B-spline on knots [x0, x0, x1, …, xn−1, xn−1], so p falls in [x_i, x_i+1) with i the last index
   * whose x_i ≤ p; at p = max(x) the value is y at the first occurrence of the maximum.
   */
  static double slinear(double[] x, double[] y, double p) {
    int n = x.length;
    if (Double.isNaN(p) || p > x[n - 1] || p < x[0]) {
      throw new IllegalArgumentException("FAR target " + p + " outside the training FAR range [" + x[0] + ", " + x[n - 1] + "]");
    }
    if (p == x[n - 1]) {
      int first = n - 1;
      while (first > 0 && x[first - 1] == x[n - 1]) {
        first--;
      }
      if (first == 0) {
        return y[0];
      }
      return y[first];
    }
    int i = n - 1;
    while (x[i] > p) {
      i--;
    }
    return y[i] + (y[i + 1] - y[i]) * (p - x[i]) / (x[i + 1] - x[i]);
  }

  /** np.sum(np.square(e1 − e2), 1) in float32, for unit vectors e1, e2 of each pair. */
  public static float squaredDistance(float[] e1, float[] e2) {
    float[] sq = new float[e1.length];
    for (int i = 0; i < sq.length; i++) {
      float d = e1[i] - e2[i];
      sq[i] = d * d;
    }
    return NumpySums.pairwise(sq, 0, sq.length);
  }

  static double mean(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return s / v.length;
  }

  /** np.std: population standard deviation (ddof = 0). */
  static double std(double[] v) {
    double m = mean(v);
    double s = 0;
    for (double x : v) {
      s += (x - m) * (x - m);
    }
    return Math.sqrt(s / v.length);
  }

  private static double[] meanColumns(double[][] rows) {
    double[] out = new double[rows[0].length];
    for (double[] r : rows) {
      for (int i = 0; i < out.length; i++) {
        out[i] += r[i];
      }
    }
    for (int i = 0; i < out.length; i++) {
      out[i] /= rows.length;
    }
    return out;
  }

  /** InsightFace's log lines. */
  public static String logLines(String target, double xnorm, Result flip, Result plain) {
    return String.format("[%s]XNorm: %f%n[%s]Accuracy: %1.5f+-%1.5f%n[%s]Accuracy-Flip: %1.5f+-%1.5f%n",
        target, xnorm, target, plain.accuracy(), plain.accuracyStd(), target, flip.accuracy(), flip.accuracyStd());
  }

  static String describe(double[] v) {
    return Arrays.toString(v);
  }
}
