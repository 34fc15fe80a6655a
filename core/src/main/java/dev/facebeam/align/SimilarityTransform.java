package dev.facebeam.align;

/**
 * A 2-D similarity (rotation, uniform scale, translation) as the top two rows of a 3×3 matrix:
 * x' = a·x − b·y + tx, y' = b·x + a·y + ty.
 */
public record SimilarityTransform(double a, double b, double tx, double ty) {

  /**
   * The least-squares similarity taking {@code src} onto {@code dst} (Umeyama 1991 with scale, as
   * scikit-image's {@code SimilarityTransform.estimate}; docs/alignment.md). In 2-D this minimiser has a
   * closed form: with centred points, a = Σ(s·d)/Σ|s|², b = Σ(s×d)/Σ|s|², which is Umeyama's
   * rotation-and-scale without a reflection.
   */
  public static SimilarityTransform estimate(double[][] src, double[][] dst) {
    int n = src.length;
    if (n < 2 || dst.length != n) {
      throw new IllegalArgumentException("need at least 2 matching points, got " + n + " and " + dst.length);
    }
    double msx = 0, msy = 0, mdx = 0, mdy = 0;
    for (int i = 0; i < n; i++) {
      msx += src[i][0];
      msy += src[i][1];
      mdx += dst[i][0];
      mdy += dst[i][1];
    }
    msx /= n;
    msy /= n;
    mdx /= n;
    mdy /= n;
    double dot = 0, cross = 0, norm = 0;
    for (int i = 0; i < n; i++) {
      double sx = src[i][0] - msx;
      double sy = src[i][1] - msy;
      double dx = dst[i][0] - mdx;
      double dy = dst[i][1] - mdy;
      dot += sx * dx + sy * dy;
      cross += sx * dy - sy * dx;
      norm += sx * sx + sy * sy;
    }
    if (!(norm > 1e-12)) {
      throw new IllegalArgumentException("landmarks are all at one point: no similarity is defined");
    }
    double a = dot / norm;
    double b = cross / norm;
    double tx = mdx - (a * msx - b * msy);
    double ty = mdy - (b * msx + a * msy);
    return new SimilarityTransform(a, b, tx, ty);
  }

  public double scale() {
    return Math.hypot(a, b);
  }

  /** Rotation in radians (counter-clockwise in x-right, y-up terms). */
  public double rotation() {
    return Math.atan2(b, a);
  }

  public double[] apply(double x, double y) {
    return new double[] {a * x - b * y + tx, b * x + a * y + ty};
  }

  /** The 2×3 matrix {@code [[a, -b, tx], [b, a, ty]]}, as cv2.warpAffine takes it. */
  public double[] matrix() {
    return new double[] {a, -b, tx, b, a, ty};
  }
}
