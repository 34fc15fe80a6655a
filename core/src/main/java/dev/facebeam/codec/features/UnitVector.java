package dev.facebeam.codec.features;

import dev.facebeam.UserInputException;

/** Features are compared as cosines: every vector read is L2-normalised, and a bad one is named. */
public final class UnitVector {
  private UnitVector() {}

  /** L2-normalises {@code v[offset..offset+d)} in place; NaN, infinite or zero vectors are errors naming {@code where}. */
  public static void normalise(float[] v, int offset, int d, String where) {
    double n = 0;
    for (int i = offset; i < offset + d; i++) {
      if (!Float.isFinite(v[i])) {
        throw new UserInputException(where, "feature holds NaN or infinity");
      }
      n += (double) v[i] * v[i];
    }
    if (!(n > 0)) {
      throw new UserInputException(where, "zero feature vector");
    }
    double inv = 1 / Math.sqrt(n);
    for (int i = offset; i < offset + d; i++) {
      v[i] = (float) (v[i] * inv);
    }
  }

  /**
   * {@link #normalise} of {@code rows} consecutive rows of length {@code d}, with the same bits: each row's
   * squares summed in the same order, four rows side by side so that their sums, each a chain of dependent
   * additions, overlap (1.9 → 1.6 µs per 512-d row here; most of the rest is each value's trip to double and
   * back). A square of a non-finite value makes the sum non-finite, and finite floats' squares cannot
   * overflow a double's sum, so the sum tells a bad row. {@code where}: a row's name, made only for an error
   * (a name per row was a string built a million times per MegaFace run).
   */
  public static void normaliseRows(float[] v, int offset, int rows, int d, java.util.function.IntFunction<String> where) {
    int r = 0;
    for (; r + 4 <= rows; r += 4) {
      int a = offset + r * d;
      int b = a + d;
      int c = b + d;
      int e = c + d;
      double na = 0;
      double nb = 0;
      double nc = 0;
      double ne = 0;
      for (int k = 0; k < d; k++) {
        na += (double) v[a + k] * v[a + k];
        nb += (double) v[b + k] * v[b + k];
        nc += (double) v[c + k] * v[c + k];
        ne += (double) v[e + k] * v[e + k];
      }
      scale(v, a, d, na, r, where);
      scale(v, b, d, nb, r + 1, where);
      scale(v, c, d, nc, r + 2, where);
      scale(v, e, d, ne, r + 3, where);
    }
    for (; r < rows; r++) {
      normalise(v, offset + r * d, d, where.apply(r));
    }
  }

  private static void scale(float[] v, int from, int d, double n, int row, java.util.function.IntFunction<String> where) {
    if (!Double.isFinite(n)) {
      throw new UserInputException(where.apply(row), "feature holds NaN or infinity");
    }
    if (!(n > 0)) {
      throw new UserInputException(where.apply(row), "zero feature vector");
    }
    double inv = 1 / Math.sqrt(n);
    for (int i = from; i < from + d; i++) {
      v[i] = (float) (v[i] * inv);
    }
  }
}
