package dev.facebeam.metrics;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.Test;

public class VerificationProtocolTest {

  @Test
  public void separableInterleavedPairsGiveThresholdPointFiftyOneEverywhere() {
    // 20 pairs: same at 0.5, different at 1.5, alternating → every fold holds one of each.
    float[] dist = new float[20];
    boolean[] same = new boolean[20];
    for (int i = 0; i < 20; i++) {
      same[i] = i % 2 == 0;
      dist[i] = same[i] ? 0.5f : 1.5f;
    }
    VerificationProtocol.Result r = VerificationProtocol.evaluate(dist, same);
    // 0.50 fails (strict <), 0.51 is the first threshold that separates the training folds.
    for (double t : r.bestThresholds()) {
      assertEquals(0.51, t, 1e-12);
    }
    assertEquals(1.0, r.accuracy(), 0);
    assertEquals(0.0, r.accuracyStd(), 0);
  }

  /** The protocol written out the slow, obvious way: lists of training pairs, every threshold tried. */
  private static double[] independentFoldAccuracies(float[] dist, boolean[] same, double[] bestOut) {
    int n = dist.length;
    double[] acc = new double[10];
    int start = 0;
    for (int k = 0; k < 10; k++) {
      int size = n / 10 + (k < n % 10 ? 1 : 0);
      List<Integer> test = new ArrayList<>();
      List<Integer> train = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        (i >= start && i < start + size ? test : train).add(i);
      }
      start += size;
      double bestT = 0;
      int bestCorrect = -1;
      for (int t = 0; t < 400; t++) {
        double thr = t * 0.01;
        int correct = 0;
        for (int i : train) {
          if ((dist[i] < thr) == same[i]) {
            correct++;
          }
        }
        if (correct > bestCorrect) {
          bestCorrect = correct;
          bestT = thr;
        }
      }
      bestOut[k] = bestT;
      int correct = 0;
      for (int i : test) {
        if ((dist[i] < bestT) == same[i]) {
          correct++;
        }
      }
      acc[k] = (double) correct / test.size();
    }
    return acc;
  }

  @Test
  public void overlappingPairsMatchTheIndependentLoopFoldByFold() {
    // 23 pairs (not divisible by 10) with overlapping distances, ties and values on the grid.
    float[] dist = {0.3f, 0.7f, 0.5f, 1.2f, 0.2f, 0.9f, 1.0f, 2.0f, 0.4f, 0.6f, 0.6f, 0.8f, 1.1f, 0.45f, 1.5f, 0.35f,
        0.95f, 0.55f, 1.3f, 0.25f, 0.75f, 0.65f, 0.85f};
    boolean[] same = {true, true, false, false, true, false, true, false, true, false, true, false, false, true, false,
        true, true, false, false, true, false, true, true};
    VerificationProtocol.Result r = VerificationProtocol.evaluate(dist, same);
    double[] best = new double[10];
    double[] acc = independentFoldAccuracies(dist, same, best);
    assertArrayEquals(acc, r.foldAccuracy(), 1e-12);
    assertArrayEquals(best, r.bestThresholds(), 1e-12);
    double mean = 0;
    for (double a : acc) {
      mean += a / 10;
    }
    double var = 0;
    for (double a : acc) {
      var += (a - mean) * (a - mean) / 10;
    }
    assertEquals(mean, r.accuracy(), 1e-12);
    assertEquals(Math.sqrt(var), r.accuracyStd(), 1e-12);
    assertEquals(400, r.tpr().length);
  }

  @Test
  public void kFoldSizesFollowSklearn() {
    int[][] f = VerificationProtocol.folds(23);
    assertArrayEquals(new int[] {0, 3}, f[0]);
    assertArrayEquals(new int[] {3, 6}, f[1]);
    assertArrayEquals(new int[] {6, 9}, f[2]);
    assertArrayEquals(new int[] {9, 11}, f[3]);
    assertArrayEquals(new int[] {21, 23}, f[9]);
    assertEquals(600, VerificationProtocol.folds(6000)[4][1] - VerificationProtocol.folds(6000)[4][0]);
    assertThrows(IllegalArgumentException.class, () -> VerificationProtocol.folds(9));
  }

  @Test
  public void aFoldWithOneClassHasNoValButStillAnAccuracy() {
    // All pairs the same person (like small_lfw): FAR has no impostors → VAL/FAR undefined (NaN).
    float[] dist = new float[10];
    boolean[] same = new boolean[10];
    for (int i = 0; i < 10; i++) {
      dist[i] = 0.1f * i;
      same[i] = true;
    }
    VerificationProtocol.Result r = VerificationProtocol.evaluate(dist, same);
    assertTrue(Double.isNaN(r.far()));
    assertTrue(Double.isNaN(r.val()));
    assertTrue(r.accuracy() > 0.5);
    assertThrows(IllegalArgumentException.class,
        () -> VerificationProtocol.evaluate(new float[] {Float.NaN, 0, 0, 0, 0, 0, 0, 0, 0, 0}, same));
  }

  @Test
  public void slinearInterpolationFollowsScipyOnRepeatedFars() {
    double[] x = {0, 0, 0.0005, 0.0005, 0.002, 0.004};
    double[] y = {0, 0.1, 0.2, 0.3, 0.4, 0.5};
    // p in [0.0005, 0.002): from the last 0.0005 (y 0.3) towards 0.002 (y 0.4).
    assertEquals(0.3 + 0.1 / 3, VerificationProtocol.slinear(x, y, 0.001), 1e-12);
    assertEquals(0.3, VerificationProtocol.slinear(x, y, 0.0005), 1e-12);
    assertEquals(0.5, VerificationProtocol.slinear(x, y, 0.004), 1e-12);
    assertEquals(0.1, VerificationProtocol.slinear(x, y, 0.0), 1e-12);
  }

  @Test
  public void float32PairwiseSumGroupsLikeNumpy() {
    float[] a = new float[16];
    for (int i = 0; i < 16; i++) {
      a[i] = i % 2 == 0 ? 1e8f : 1f;
    }
    // 8 accumulators: r[j] = a[j] + a[j+8]; then ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)).
    float[] r = new float[8];
    for (int j = 0; j < 8; j++) {
      r[j] = a[j] + a[j + 8];
    }
    float expected = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    assertEquals(expected, NumpySums.pairwise(a, 0, 16), 0f);
    float[] small = {0.1f, 0.2f, 0.3f};
    assertEquals((0f + 0.1f) + 0.2f + 0.3f, NumpySums.pairwise(small, 0, 3), 0f);
    float[] e1 = {1, 0};
    float[] e2 = {0, 1};
    assertEquals(2f, VerificationProtocol.squaredDistance(e1, e2), 0f);
  }
}
