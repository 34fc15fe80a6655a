package dev.facebeam.align;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.facebeam.TestData;
import dev.facebeam.codec.image.ImageCodec;
import dev.facebeam.codec.image.RgbPixels;
import dev.facebeam.proto.AlignMethod;
import java.nio.file.Files;
import org.junit.Test;

public class AlignmentTest {

  @Test
  public void templateOntoItselfIsTheIdentity() {
    SimilarityTransform t = SimilarityTransform.estimate(ArcFaceTemplate.fivePoints(), ArcFaceTemplate.fivePoints());
    assertEquals(1.0, t.a(), 1e-12);
    assertEquals(0.0, t.b(), 1e-12);
    assertEquals(0.0, t.tx(), 1e-9);
    assertEquals(0.0, t.ty(), 1e-9);
  }

  @Test
  public void knownRotationScaleAndShiftAreRecovered() {
    double angle = Math.toRadians(17.5);
    double scale = 2.3;
    double tx = -40.25;
    double ty = 13.5;
    double[][] dst = ArcFaceTemplate.fivePoints();
    double[][] src = new double[5][];
    // src = inverse of (scale, angle, t) applied to the template, so estimate(src → dst) must give it back.
    for (int i = 0; i < 5; i++) {
      double x = dst[i][0] - tx;
      double y = dst[i][1] - ty;
      double c = Math.cos(-angle) / scale;
      double s = Math.sin(-angle) / scale;
      src[i] = new double[] {c * x - s * y, s * x + c * y};
    }
    SimilarityTransform t = SimilarityTransform.estimate(src, dst);
    assertEquals(scale, t.scale(), 1e-6);
    assertEquals(angle, t.rotation(), 1e-6);
    assertEquals(tx, t.tx(), 1e-6);
    assertEquals(ty, t.ty(), 1e-6);
  }

  @Test
  public void leastSquaresMatchesAHandWorkedThreePointCase() {
    // src (0,0),(2,0),(0,2) → dst (1,1),(1,3),(-1,1): rotation 90°, scale 1, shift (1,1), exact.
    SimilarityTransform t = SimilarityTransform.estimate(
        new double[][] {{0, 0}, {2, 0}, {0, 2}}, new double[][] {{1, 1}, {1, 3}, {-1, 1}});
    assertEquals(0.0, t.a(), 1e-12);
    assertEquals(1.0, t.b(), 1e-12);
    assertArrayEquals(new double[] {1, 1}, t.apply(0, 0), 1e-12);
  }

  @Test
  public void degenerateLandmarksAreRefused() {
    double[][] same = {{5, 5}, {5, 5}, {5, 5}, {5, 5}, {5, 5}};
    assertThrows(IllegalArgumentException.class, () -> SimilarityTransform.estimate(same, ArcFaceTemplate.fivePoints()));
  }

  private static RgbPixels ramp(int w, int h) {
    byte[] rgb = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        rgb[(y * w + x) * 3] = (byte) (x * 2);
        rgb[(y * w + x) * 3 + 1] = (byte) (y * 2);
        rgb[(y * w + x) * 3 + 2] = (byte) ((x + y) & 0xFF);
      }
    }
    return new RgbPixels(w, h, rgb);
  }

  @Test
  public void identityWarpCopiesAndIntegerShiftMovesWithBlackBorder() {
    RgbPixels img = ramp(112, 112);
    assertArrayEquals(img.rgb(), AffineWarp.warp(img, new double[] {1, 0, 0, 0, 1, 0}, 112, 112).rgb());
    RgbPixels moved = AffineWarp.warp(img, new double[] {1, 0, 3, 0, 1, -2}, 112, 112);
    assertEquals(img.at(0, 2, 0), moved.at(3, 0, 0));
    assertEquals(img.at(50, 60, 2), moved.at(53, 58, 2));
    assertEquals(0, moved.at(0, 50, 0)); // came from x = -3: outside, black
    assertEquals(0, moved.at(50, 111, 1)); // came from y = 113: outside, black
  }

  @Test
  public void halfPixelShiftAveragesNeighboursInOpenCvRounding() {
    // Two pixels 10 and 21 along x: sampling at x + 0.5 gives (10 + 21) / 2 = 15.5 → 16 (round half up in fixed point).
    byte[] rgb = new byte[2 * 1 * 3];
    rgb[0] = 10;
    rgb[3] = 21;
    RgbPixels img = new RgbPixels(2, 1, rgb);
    RgbPixels out = AffineWarp.warp(img, new double[] {1, 0, -0.5, 0, 1, 0}, 1, 1);
    assertEquals(16, out.at(0, 0, 0));
  }

  @Test
  public void alignedCropsPassThroughAndOthersBecome112() throws Exception {
    RgbPixels aligned = ramp(112, 112);
    FaceAligner.Aligned a = FaceAligner.align(aligned, null, null, false);
    assertEquals(AlignMethod.PASSTHROUGH, a.method());
    assertNull(a.pixels());
    RgbPixels orl = ImageCodec.decode(Files.readAllBytes(TestData.file("orl/s5/1.pgm")));
    FaceAligner.Aligned c = FaceAligner.align(orl, null, null, false);
    assertEquals(AlignMethod.CENTER_CROP, c.method());
    assertEquals(112, c.pixels().width());
    assertEquals(112, c.pixels().height());
    FaceAligner.Aligned b = FaceAligner.align(orl, null, new double[] {20, 30, 70, 90}, false);
    assertEquals(AlignMethod.BOUNDING_BOX, b.method());
  }

  @Test
  public void threeMegaFacePointsWarpOntoTheTemplatesEyesAndNose() {
    double[][] three = ArcFaceTemplate.threePoints();
    for (double[] p : three) {
      p[0] = p[0] * 2 + 5; // a face twice the template's size, shifted
      p[1] = p[1] * 2 + 5;
    }
    FaceAligner.Aligned a = FaceAligner.align(ramp(250, 250), three, new double[] {0, 0, 250, 250}, false);
    assertEquals(AlignMethod.THREE_POINT, a.method());
    // Output (x, y) samples the source at (2x + 5, 2y + 5): the ramp's red channel is 2·x_src.
    assertEquals((byte) ((2 * 40 + 5) * 2), (byte) a.pixels().at(40, 60, 0));
    assertThrows(IllegalArgumentException.class, () -> FaceAligner.align(ramp(250, 250), new double[4][2], null, false));
  }

  @Test
  public void fivePointWarpPutsTheLandmarksOnTheTemplate() {
    // A 200x200 image with bright dots where a face's landmarks are (template scaled by 1.5, shifted by 10).
    double[][] lm = ArcFaceTemplate.fivePoints();
    byte[] rgb = new byte[200 * 200 * 3];
    for (double[] p : lm) {
      p[0] = p[0] * 1.5 + 10;
      p[1] = p[1] * 1.5 + 10;
      int x = (int) Math.round(p[0]);
      int y = (int) Math.round(p[1]);
      for (int dy = -1; dy <= 1; dy++) {
        for (int dx = -1; dx <= 1; dx++) {
          rgb[((y + dy) * 200 + x + dx) * 3] = (byte) 255;
        }
      }
    }
    FaceAligner.Aligned a = FaceAligner.align(new RgbPixels(200, 200, rgb), lm, null, false);
    assertEquals(AlignMethod.FIVE_POINT, a.method());
    for (double[] t : ArcFaceTemplate.fivePoints()) {
      int v = a.pixels().at((int) Math.round(t[0]), (int) Math.round(t[1]), 0);
      assertEquals("dot at template point " + t[0] + "," + t[1], true, v > 100);
    }
  }

  /** Issue 23: landmarks at ±1e9 in a .lst gave a flat crop that was written as a face. */
  @Test
  public void landmarksFarOutsideTheImageOrOfAnAbsurdScaleAreRefusedWithTheReason() {
    double[][] far = ArcFaceTemplate.fivePoints();
    far[2] = new double[] {1e9, -1e9};
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FaceAligner.align(ramp(250, 250), far, null, false));
    assertEquals("landmark (1.0E9, -1.0E9) lies outside the 250x250 image by more than its size", e.getMessage());
    // All five points within a tenth of a pixel: a 112-pixel template drawn from them is ~400x enlarged.
    double[][] tiny = ArcFaceTemplate.fivePoints();
    for (double[] p : tiny) {
      p[0] = 100 + p[0] / 1000;
      p[1] = 100 + p[1] / 1000;
    }
    e = assertThrows(IllegalArgumentException.class, () -> FaceAligner.align(ramp(250, 250), tiny, null, false));
    assertTrue(e.getMessage(), e.getMessage().startsWith("the landmarks give a similarity scale of 1000.0"));
    // Points just inside the bound still align (a face partly outside the frame is a real case).
    double[][] edge = ArcFaceTemplate.fivePoints();
    for (double[] p : edge) {
      p[0] -= 60;
    }
    assertEquals(AlignMethod.FIVE_POINT, FaceAligner.align(ramp(250, 250), edge, null, false).method());
  }
}
