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
   * additions, overlap (with the conversions below: 1.7 → 0.56 µs per 512-d row here, 1.1 s of a core less
   * per MegaFace's 10⁶ distractors). A square of a non-finite value makes the sum non-finite, and finite
   * floats' squares cannot overflow a double's sum, so the sum tells a bad row. {@code where}: a row's name,
   * made only for an error (a name per row was a string built a million times per MegaFace run).
   */
  public static void normaliseRows(float[] v, int offset, int rows, int d, java.util.function.IntFunction<String> where) {
    // The values go to doubles and back in loops of their own, which the compiler runs on vectors: done
    // value by value beside the arithmetic, the conversions took two thirds of the time.
    double[] t = new double[4 * d];
    int r = 0;
    for (; r + 4 <= rows; r += 4) {
      int from = offset + r * d;
      for (int k = 0; k < 4 * d; k++) {
        t[k] = v[from + k];
      }
      double na = 0;
      double nb = 0;
      double nc = 0;
      double ne = 0;
      for (int k = 0; k < d; k++) {
        na += t[k] * t[k];
        nb += t[d + k] * t[d + k];
        nc += t[2 * d + k] * t[2 * d + k];
        ne += t[3 * d + k] * t[3 * d + k];
      }
      double[] n = {na, nb, nc, ne};
      for (int q = 0; q < 4; q++) {
        double inv = inverseNorm(n[q], r + q, where);
        for (int k = q * d; k < (q + 1) * d; k++) {
          t[k] *= inv;
        }
      }
      for (int k = 0; k < 4 * d; k++) {
        v[from + k] = (float) t[k];
      }
    }
    for (; r < rows; r++) {
      normalise(v, offset + r * d, d, where.apply(r));
    }
  }

  private static double inverseNorm(double n, int row, java.util.function.IntFunction<String> where) {
    if (!Double.isFinite(n)) {
      throw new UserInputException(where.apply(row), "feature holds NaN or infinity");
    }
    if (!(n > 0)) {
      throw new UserInputException(where.apply(row), "zero feature vector");
    }
    return 1 / Math.sqrt(n);
  }
}
