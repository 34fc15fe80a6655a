package dev.facebeam.results;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import dev.facebeam.metrics.RocCurve;
import java.util.Map;
import org.junit.Test;

public class RocSampleTest {
  /**
   * 4 genuine scores 0.9, 0.8, 0.5, -0.1 and 1,000 impostors: one at 0.85, the rest at 0.0. One
   * false accept in 1,000 is FAR 1e-3: the lowest threshold that keeps to it is 0.5 (the 0.85
   * impostor above it, the 0.0 ones below), where 3 of 4 genuine pairs pass: TAR 0.75. Below 1e-3
   * nothing is resolvable with 1,000 impostors.
   */
  @Test
  public void tarAtFarIsTheHighestTarAtMostThatFarAndNullBelowOneFalseAccept() {
    double[] scores = new double[1004];
    byte[] labels = new byte[1004];
    double[] genuine = {0.9, 0.8, 0.5, -0.1};
    for (int i = 0; i < 4; i++) {
      scores[i] = genuine[i];
      labels[i] = 1;
    }
    scores[4] = 0.85;
    RocCurve roc = RocCurve.of(scores, labels);
    Map<String, Double> tar = RocSample.tarAtFar(roc, 1000, 4);
    assertNull(tar.get("1e-06"));
    assertNull(tar.get("0.0001"));
    assertEquals(0.75, tar.get("0.001"), 0);
    assertEquals(0.75, tar.get("0.1"), 0);
    ResultRecord.Curve c = RocSample.curve(roc, 1000, 4);
    assertEquals(1e-3, c.far().get(0), 1e-15);
    assertEquals(61, c.far().size());
    assertEquals(0.75, c.tar().get(0), 0);
    assertNull(RocSample.curve(roc, 0, 4));
  }
}
