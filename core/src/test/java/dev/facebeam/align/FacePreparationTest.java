package dev.facebeam.align;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.facebeam.codec.BaselineJpegTest;
import dev.facebeam.codec.pack.RawFaces;
import dev.facebeam.proto.AlignMethod;
import dev.facebeam.proto.FaceRecord;
import dev.facebeam.proto.Point;
import dev.facebeam.proto.Role;
import java.util.List;
import java.util.Random;
import org.junit.Test;

/**
 * A stored 112×112 crop passes through without a pixel decoded, and the record is the one a decode
 * gives: on every real fixture face, and on damaged copies (the same record or the same reject).
 */
public class FacePreparationTest {

  @Test
  public void aStoredCropPassesThroughUndecodedAsTheDecodeWouldWriteIt() throws Exception {
    List<byte[]> real = BaselineJpegTest.realJpegs();
    int passed = 0;
    for (int k = 0; k < real.size(); k++) {
      FaceRecord raw = RawFaces.raw("f" + k, "fixture", k, Role.TRAIN, real.get(k)).build();
      FacePreparation.Prepared fast = FacePreparation.prepare(raw);
      FacePreparation.Prepared decoded = FacePreparation.prepareWithPixels(raw);
      assertEquals(decoded.record(), fast.record());
      assertNotNull(decoded.pixels());
      if (fast.record().getAlignMethod() == AlignMethod.PASSTHROUGH) {
        assertNull("a crop that passes through is not decoded", fast.pixels());
        passed++;
      }
    }
    assertTrue(passed + " of " + real.size() + " real faces passed through", passed >= 40);
  }

  @Test
  public void landmarksDecideAsBefore() throws Exception {
    byte[] face = BaselineJpegTest.realJpegs().get(0);
    FaceRecord.Builder withPoints = RawFaces.raw("p", "fixture", 0, Role.TRAIN, face);
    double[][] five = ArcFaceTemplate.fivePoints();
    for (double[] p : five) {
      withPoints.addLandmarks(Point.newBuilder().setX((float) (p[0] + 3)).setY((float) (p[1] - 2)));
    }
    // Landmarks on a crop not declared aligned: it is warped, so decoded.
    FacePreparation.Prepared warped = FacePreparation.prepare(withPoints.build());
    assertEquals(AlignMethod.FIVE_POINT, warped.record().getAlignMethod());
    assertEquals(FacePreparation.prepareWithPixels(withPoints.build()).record(), warped.record());
    // Declared aligned: it passes through, landmarks kept, as the decode path writes it.
    FaceRecord declared = withPoints.setDeclaredAligned(true).build();
    FacePreparation.Prepared kept = FacePreparation.prepare(declared);
    assertEquals(AlignMethod.PASSTHROUGH, kept.record().getAlignMethod());
    assertNull(kept.pixels());
    assertEquals(FacePreparation.prepareWithPixels(declared).record(), kept.record());
  }

  @Test
  public void aDamagedCropGivesTheRecordOrTheRejectTheDecodeGives() throws Exception {
    List<byte[]> real = BaselineJpegTest.realJpegs();
    Random r = new Random(26);
    int rejected = 0;
    for (int trial = 0; trial < 1500; trial++) {
      byte[] bad = real.get(trial % real.size()).clone();
      int from = trial % 2 == 0 ? 2 : bad.length / 3; // anywhere, or in the entropy-coded data
      for (int k = 0; k < 1 + r.nextInt(3); k++) {
        int at = from + r.nextInt(bad.length - from - 2);
        bad[at] = (byte) (trial % 3 == 0 ? r.nextInt(256) : bad[at] ^ (1 << r.nextInt(8)));
      }
      FaceRecord raw = RawFaces.raw("d" + trial, "fixture", trial, Role.TRAIN, bad).build();
      assertEquals("trial " + trial, outcome(() -> FacePreparation.prepareWithPixels(raw)), outcome(() -> FacePreparation.prepare(raw)));
      if (outcome(() -> FacePreparation.prepare(raw)).startsWith("rejected")) {
        rejected++;
      }
    }
    assertTrue(rejected + " damaged crops rejected", rejected > 100);
  }

  private interface Preparation {
    FacePreparation.Prepared run() throws FacePreparation.RejectedFace;
  }

  private static String outcome(Preparation p) {
    try {
      return "written " + p.run().record();
    } catch (FacePreparation.RejectedFace e) {
      return "rejected: " + e.getMessage();
    }
  }
}
