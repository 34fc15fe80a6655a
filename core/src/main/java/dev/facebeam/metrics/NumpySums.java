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

  /** {@code np.sum(x * y)} of two float64 rows: the products, then their pairwise sum. */
  public static double dot(double[] x, double[] y) {
    return dot(x, y, new double[x.length]);
  }

  /** The same, with the products in {@code scratch} (at least as long as the rows), for loops over many pairs. */
  public static double dot(double[] x, double[] y, double[] scratch) {
    for (int i = 0; i < x.length; i++) {
      scratch[i] = x[i] * y[i];
    }
    return pairwise(scratch, 0, x.length);
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
