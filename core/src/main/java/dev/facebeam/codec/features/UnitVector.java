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
}
