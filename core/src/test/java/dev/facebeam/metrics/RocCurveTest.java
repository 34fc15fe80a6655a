package dev.facebeam.metrics;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

import dev.facebeam.metrics.RocCurve;
import org.junit.Test;

/** scikit-learn's ROC vertices and InsightFace's nearest-vertex TAR, on cases worked out by hand. */
public class RocCurveTest {
  /**
   * Three scores each shared by one genuine and one impostor pair (a diagonal run), then one
   * impostor alone. Vertices (fps, tps): (1,1) (2,2) (3,3) (4,3). The middle of the diagonal,
   * (2,2), bends neither count and is dropped: fpr = 0, 1/4, 3/4, 1 and tpr = 0, 1/3, 1, 1.
   * At FAR 0.5 the nearest vertices are 1/4 and 3/4, equally near; the first in reversed order,
   * 3/4, wins: TAR 1.0. Had (2,2) been kept, FPR 1/2 would be exact and the TAR 2/3.
   */
  @Test
  public void droppingACollinearVertexChangesTheReportedTar() {
    double[] scores = {0.9, 0.9, 0.8, 0.8, 0.7, 0.7, 0.6};
    byte[] labels = {1, 0, 0, 1, 1, 0, 0};
    RocCurve roc = RocCurve.of(scores, labels);
    assertArrayEquals(new double[] {0, 0.25, 0.75, 1}, roc.fpr(), 0);
    assertArrayEquals(new double[] {0, 1 / 3.0, 1, 1}, roc.tpr(), 0);
    assertArrayEquals(new double[] {Double.POSITIVE_INFINITY, 0.9, 0.7, 0.6}, roc.thresholds(), 0);
    assertEquals(1.0, roc.insightFaceTar(0.5), 0);
    // The standard definition: the highest TAR at FAR ≤ 0.5 is 1/3, at threshold 0.9.
    assertEquals(new RocCurve.Operating(1 / 3.0, 0.25, 0.9), roc.highestTarAtMost(0.5));
    // Area: trapezoids (1/4)(1/3)/2 + (1/2)(4/3)/2 + (1/4)(2)/2 = 1/24 + 1/3 + 1/4.
    assertEquals(1 / 24.0 + 1 / 3.0 + 1 / 4.0, roc.auc(), 1e-15);
  }

  @Test
  public void twoVerticesAreKeptWhateverTheyAre() {
    RocCurve roc = RocCurve.of(new double[] {0.3, 0.3, 0.1}, new byte[] {1, 0, 0});
    assertArrayEquals(new double[] {0, 0.5, 1}, roc.fpr(), 0);
    assertArrayEquals(new double[] {0, 1, 1}, roc.tpr(), 0);
    // FAR 1e-6 is nearest the prepended (0, 0): TAR 0, as the script reports below the first vertex.
    assertEquals(0.0, roc.insightFaceTar(1e-6), 0);
  }
}
