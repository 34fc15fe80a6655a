package dev.facebeam.align;

/** InsightFace's 5-point template for 112×112 crops (docs/alignment.md): the 96×112 template shifted by 8 in x. */
public final class ArcFaceTemplate {
  public static final int SIZE = 112;

  /** Left eye, right eye, nose tip, left and right mouth corners (image-left first), in pixels. */
  private static final double[][] POINTS = {
      {38.2946, 51.6963},
      {73.5318, 51.5014},
      {56.0252, 71.7366},
      {41.5493, 92.3655},
      {70.7299, 92.2041},
  };

  private ArcFaceTemplate() {}

  public static double[][] fivePoints() {
    double[][] p = new double[5][];
    for (int i = 0; i < 5; i++) {
      p[i] = POINTS[i].clone();
    }
    return p;
  }

  /** Eyes and nose: the points MegaFace JSON landmarks map onto (docs/formats.md). */
  public static double[][] threePoints() {
    double[][] p = new double[3][];
    for (int i = 0; i < 3; i++) {
      p[i] = POINTS[i].clone();
    }
    return p;
  }
}
