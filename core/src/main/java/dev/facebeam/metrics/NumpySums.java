package dev.facebeam.metrics;

/**
 * The summation orders of NumPy's reductions, so that sums come out to the last bit as the
 * reference scripts' do (docs/ijb.md): {@code np.sum} along a contiguous axis is pairwise (8
 * accumulators in blocks of up to 128, halves above that); {@code np.einsum("ij,ij->i")}, which
 * scikit-learn's {@code normalize} uses for row norms, runs two lanes four products at a time,
 * without fused multiply-add (NumPy 2's baseline x86-64 build).
 */
public final class NumpySums {
  private NumpySums() {}

  /** {@code np.sum} of {@code n} float32 values from {@code from}. */
  public static float pairwise(float[] a, int from, int n) {
    if (n < 8) {
      float r = 0f;
      for (int i = 0; i < n; i++) {
        r += a[from + i];
      }
      return r;
    }
    if (n <= 128) {
      float[] r = new float[8];
      System.arraycopy(a, from, r, 0, 8);
      int i;
      for (i = 8; i < n - (n % 8); i += 8) {
        for (int j = 0; j < 8; j++) {
          r[j] += a[from + i + j];
        }
      }
      float res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
      for (; i < n; i++) {
        res += a[from + i];
      }
      return res;
    }
    int n2 = n / 2;
    n2 -= n2 % 8;
    return pairwise(a, from, n2) + pairwise(a, from + n2, n - n2);
  }

  /** {@code np.sum} of {@code n} float64 values from {@code from}. */
  public static double pairwise(double[] a, int from, int n) {
    if (n < 8) {
      double r = 0;
      for (int i = 0; i < n; i++) {
        r += a[from + i];
      }
      return r;
    }
    if (n <= 128) {
      double[] r = new double[8];
      System.arraycopy(a, from, r, 0, 8);
      int i;
      for (i = 8; i < n - (n % 8); i += 8) {
        for (int j = 0; j < 8; j++) {
          r[j] += a[from + i + j];
        }
      }
      double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
      for (; i < n; i++) {
        res += a[from + i];
      }
      return res;
    }
    int n2 = n / 2;
    n2 -= n2 % 8;
    return pairwise(a, from, n2) + pairwise(a, from + n2, n - n2);
  }

  /**
   * {@code np.sum(x * y)} of two float64 rows: each product rounded, then summed in {@link #pairwise(double[], int,
   * int)}'s order, without the product array (eight accumulators in locals: several times faster over many pairs).
   */
  public static double dot(double[] x, double[] y) {
    return dot(x, y, 0, x.length);
  }

  private static double dot(double[] x, double[] y, int from, int n) {
    if (n < 8) {
      double r = 0;
      for (int i = from; i < from + n; i++) {
        r += x[i] * y[i];
      }
      return r;
    }
    if (n <= 128) {
      double r0 = x[from] * y[from];
      double r1 = x[from + 1] * y[from + 1];
      double r2 = x[from + 2] * y[from + 2];
      double r3 = x[from + 3] * y[from + 3];
      double r4 = x[from + 4] * y[from + 4];
      double r5 = x[from + 5] * y[from + 5];
      double r6 = x[from + 6] * y[from + 6];
      double r7 = x[from + 7] * y[from + 7];
      int end = from + n - (n % 8);
      int i;
      for (i = from + 8; i < end; i += 8) {
        r0 += x[i] * y[i];
        r1 += x[i + 1] * y[i + 1];
        r2 += x[i + 2] * y[i + 2];
        r3 += x[i + 3] * y[i + 3];
        r4 += x[i + 4] * y[i + 4];
        r5 += x[i + 5] * y[i + 5];
        r6 += x[i + 6] * y[i + 6];
        r7 += x[i + 7] * y[i + 7];
      }
      double res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
      for (; i < from + n; i++) {
        res += x[i] * y[i];
      }
      return res;
    }
    int n2 = n / 2;
    n2 -= n2 % 8;
    return dot(x, y, from, n2) + dot(x, y, from + n2, n - n2);
  }

  /** {@code np.einsum("ij,ij->i", X, X)} of one float64 row: two lanes, four steps unrolled, no FMA. */
  public static double einsumSquares(double[] x) {
    double lane0 = 0;
    double lane1 = 0;
    int i = 0;
    int n = x.length;
    for (; n - i >= 8; i += 8) {
      // acc = a0*b0 + (a1*b1 + (a2*b2 + (a3*b3 + acc))), each lane on its own
      lane0 = x[i] * x[i] + (x[i + 2] * x[i + 2] + (x[i + 4] * x[i + 4] + (x[i + 6] * x[i + 6] + lane0)));
      lane1 = x[i + 1] * x[i + 1] + (x[i + 3] * x[i + 3] + (x[i + 5] * x[i + 5] + (x[i + 7] * x[i + 7] + lane1)));
    }
    for (; i < n; i += 2) {
      lane0 = x[i] * x[i] + lane0;
      lane1 = (i + 1 < n ? x[i + 1] * x[i + 1] : 0.0) + lane1;
    }
    return lane0 + lane1;
  }
}
