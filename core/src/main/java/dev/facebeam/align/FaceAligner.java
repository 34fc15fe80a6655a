package dev.facebeam.align;

import dev.facebeam.codec.image.RgbPixels;
import dev.facebeam.proto.AlignMethod;

/**
 * Turns a decoded image and whatever geometry came with it into a 112×112 face, the way
 * InsightFace's {@code face_preprocess.preprocess} does (docs/alignment.md): 5 landmarks → similarity warp;
 * MegaFace's 3 JSON landmarks → warp onto the template's eyes and nose; a bounding box → crop
 * with a 44-pixel margin and resize; nothing → centre crop with 6.25% borders and resize.
 * An image that is already 112×112 with no landmarks (or declared aligned) passes through.
 */
public final class FaceAligner {
  public static final int SIZE = ArcFaceTemplate.SIZE;
  /** face_preprocess's default margin around a bounding box, in pixels (half on each side). */
  public static final int MARGIN = 44;

  private FaceAligner() {}

  /**
   * Template pixels per source pixel a real face can need: from a face 100 times the crop's size
   * (a 10,000-pixel-wide face) to one 20 times smaller (eyes 2 pixels apart).
   */
  static final double MIN_SCALE = 0.01;
  static final double MAX_SCALE = 20;

  /** The crop and how it was made; {@code pixels} is null for a passthrough. */
  public record Aligned(AlignMethod method, RgbPixels pixels) {}

  /**
   * @param landmarks 5 or 3 points as {x, y} in source pixels, or null
   * @param bbox {x1, y1, x2, y2} or null
   */
  public static Aligned align(RgbPixels img, double[][] landmarks, double[] bbox, boolean declaredAligned) {
    boolean isCrop = img.width() == SIZE && img.height() == SIZE;
    if (isCrop && (declaredAligned || landmarks == null)) {
      return new Aligned(AlignMethod.PASSTHROUGH, null);
    }
    if (landmarks != null && (landmarks.length == 5 || landmarks.length == 3)) {
      double[][] template = landmarks.length == 5 ? ArcFaceTemplate.fivePoints() : ArcFaceTemplate.threePoints();
      for (double[] p : landmarks) {
        // A point more than the image's own size outside it is no landmark of this image (issue 23: ±1e9
        // gave a flat crop written as a face).
        if (!(p[0] >= -img.width() && p[0] <= 2.0 * img.width() && p[1] >= -img.height() && p[1] <= 2.0 * img.height())) {
          throw new IllegalArgumentException("landmark (" + p[0] + ", " + p[1] + ") lies outside the " + img.width() + "x"
              + img.height() + " image by more than its size");
        }
      }
      SimilarityTransform t = SimilarityTransform.estimate(landmarks, template);
      if (!(t.scale() >= MIN_SCALE && t.scale() <= MAX_SCALE)) {
        throw new IllegalArgumentException("the landmarks give a similarity scale of " + t.scale() + " (the face would be "
            + "drawn " + (t.scale() > 1 ? "enlarged" : "shrunk") + " beyond " + MIN_SCALE + " to " + MAX_SCALE
            + "): landmarks that coincide or are not of one face");
      }
      return new Aligned(landmarks.length == 5 ? AlignMethod.FIVE_POINT : AlignMethod.THREE_POINT,
          AffineWarp.warp(img, t.matrix(), SIZE, SIZE));
    }
    if (landmarks != null) {
      throw new IllegalArgumentException(landmarks.length + " landmarks (expected 5, or 3 for MegaFace JSON)");
    }
    double[] det;
    AlignMethod method;
    if (bbox != null) {
      det = bbox;
      method = AlignMethod.BOUNDING_BOX;
    } else {
      int w = img.width();
      int h = img.height();
      det = new double[] {w * 0.0625, h * 0.0625, w - w * 0.0625, h - h * 0.0625};
      method = AlignMethod.CENTER_CROP;
    }
    // face_preprocess: bb = int32 of the margin-extended box, clipped to the image.
    int x1 = (int) Math.max(det[0] - MARGIN / 2.0, 0);
    int y1 = (int) Math.max(det[1] - MARGIN / 2.0, 0);
    int x2 = (int) Math.min(det[2] + MARGIN / 2.0, img.width());
    int y2 = (int) Math.min(det[3] + MARGIN / 2.0, img.height());
    if (x2 <= x1 || y2 <= y1) {
      throw new IllegalArgumentException("bounding box [" + det[0] + ", " + det[1] + ", " + det[2] + ", " + det[3]
          + "] lies outside the " + img.width() + "x" + img.height() + " image");
    }
    RgbPixels crop = AffineWarp.crop(img, x1, y1, x2, y2);
    return new Aligned(method, AffineWarp.resize(crop, SIZE, SIZE));
  }
}
