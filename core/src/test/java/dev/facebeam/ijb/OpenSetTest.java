package dev.facebeam.ijb;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

import org.junit.Test;

/** NIST-style open-set TPIR at FPIR and the CMC, on a case worked out by hand. */
public class OpenSetTest {
  private static double[] at(double s) {
    return new double[] {s, Math.sqrt(1 - s * s)}; // score s against (1, 0), √(1 − s²) against (0, 1)
  }

  @Test
  public void thresholdFromTheNonMatedBestScoresAndMatesThatRankFirstAboveIt() {
    double[][] gallery = {{1, 0}, {0, 1}}; // subjects 1 and 2
    double[] nonMated = {0.76, 0.78, 0.80, 0.82, 0.84, 0.86, 0.88, 0.90, 0.92, 0.96}; // subjects 3…12, best against (1, 0)
    double[] mated = {0.97, 0.93, 0.85};                                           // subject 1
    double[][] probes = new double[14][];
    int[] subjects = new int[14];
    for (int i = 0; i < 10; i++) {
      probes[i] = at(nonMated[i]);
      subjects[i] = 3 + i;
    }
    for (int i = 0; i < 3; i++) {
      probes[10 + i] = at(mated[i]);
      subjects[10 + i] = 1;
    }
    probes[13] = at(0.9); // subject 2, but (1, 0) scores higher than its own template: not first
    subjects[13] = 2;
    OneToN.OpenSet o = OneToN.openSet(probes, subjects, gallery, new int[] {1, 2});
    assertEquals(4, o.mated());
    assertEquals(10, o.nonMated());
    // FPIR 0.01: floor(0.1) = 0 non-mated above: threshold 0.96; mates first and above: 0.97 → 1 of 4.
    // FPIR 0.1: floor(1) = 1 above: threshold 0.92; 0.97 and 0.93 → 2 of 4.
    assertArrayEquals(new double[] {0.96, 0.92}, o.thresholds(), 0);
    assertArrayEquals(new double[] {0.25, 0.5}, o.tpir(), 0);
  }

  @Test
  public void cmcCountsTheMatesRank() {
    double[][] gallery = {{1, 0}, {0, 1}};
    // Probe of subject 1 ranks its mate first; probe of subject 2 ranks it second.
    OneToN.Result r = OneToN.evaluate(new double[][] {at(0.9), at(0.9)}, new int[] {1, 2}, gallery, new int[] {1, 2}, "t");
    assertArrayEquals(new int[] {0, 1}, r.ranks());
    assertArrayEquals(new double[] {0.5, 1.0}, r.cmc(2), 0);
    assertEquals(0.5, r.top1(), 0);
  }
}
