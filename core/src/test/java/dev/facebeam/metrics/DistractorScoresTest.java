package dev.facebeam.metrics;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.Test;

public class DistractorScoresTest {
  @Test
  public void blocksInAnyOrderKeepWhatASortOfTheWholeMatrixKeeps() {
    System.setProperty("ai.djl.offline", "true");
    Random r = new Random(7);
    int p = 5;
    int d = 8;
    int n = 53;
    float[][] probes = new float[p][];
    for (int i = 0; i < p; i++) {
      probes[i] = MegaFaceProtocolTest.unit(r, d);
    }
    float[][] distractors = new float[n][];
    for (int j = 0; j < n; j++) {
      distractors[j] = MegaFaceProtocolTest.unit(r, d);
    }
    int[] sizes = {10, 30, 53};
    int k = 4;
    int[] keep = {7, 20, 40};
    // Distractors arrive shuffled, in blocks of 9, split over two accumulators that merge.
    List<Integer> order = new ArrayList<>();
    for (int j = 0; j < n; j++) {
      order.add(j);
    }
    java.util.Collections.shuffle(order, r);
    DistractorScores a = new DistractorScores(sizes, p, k, keep);
    DistractorScores b = new DistractorScores(sizes, p, k, keep);
    for (int start = 0; start < n; start += 9) {
      int len = Math.min(9, n - start);
      float[] scores = new float[p * len]; // probes × block, row-major, as add takes them
      long[] index = new long[9];
      for (int j = 0; j < len; j++) {
        int id = order.get(start + j);
        index[j] = id;
        for (int i = 0; i < p; i++) {
          scores[i * len + j] = dot(probes[i], distractors[id]);
        }
      }
      (start % 2 == 0 ? a : b).add(scores, p, index, len);
    }
    a.merge(b);
    for (int s = 0; s < sizes.length; s++) {
      assertEquals(sizes[s], a.distractors(s));
      List<Float> impostors = new ArrayList<>();
      for (int i = 0; i < p; i++) {
        float[] row = new float[sizes[s]];
        for (int j = 0; j < sizes[s]; j++) {
          row[j] = dot(probes[i], distractors[j]);
          impostors.add(row[j]);
        }
        float[] expected = descending(row, k);
        assertArrayEquals("size " + sizes[s] + " probe " + i, expected, a.topPerProbe(s)[i], 1e-5f);
      }
      float[] all = new float[impostors.size()];
      for (int x = 0; x < all.length; x++) {
        all[x] = impostors.get(x);
      }
      assertArrayEquals(descending(all, keep[s]), a.topImpostors(s), 1e-5f);
    }
  }

  @Test
  public void readCountsAddUpAcrossMerges() {
    DistractorScores a = new DistractorScores(new int[] {10}, 1, 1, new int[] {1});
    DistractorScores b = new DistractorScores(new int[] {10}, 1, 1, new int[] {1});
    a.countRead(5, 1, 0);
    b.countRead(3, 0, 2);
    a.merge(b);
    assertEquals(8, a.read());
    assertEquals(1, a.noisyDropped());
    assertEquals(2, a.missing());
  }

  private static float[] descending(float[] v, int k) {
    float[] s = v.clone();
    Arrays.sort(s);
    float[] out = new float[Math.min(k, s.length)];
    for (int i = 0; i < out.length; i++) {
      out[i] = s[s.length - 1 - i];
    }
    return out;
  }

  private static float dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return (float) s;
  }

  /**
   * The integer pre-check passes every score the float test passes, for any row scale in the product's
   * range (a property over random thresholds, scales and scores, and the scores next to T); and it is
   * no looser than one step where the scales are all one.
   */
  @Test
  public void integerThresholdsPassEveryScoreTheFloatTestPasses() {
    java.util.SplittableRandom r = new java.util.SplittableRandom(26);
    for (int t = 0; t < 200_000; t++) {
      float lowest = t % 97 == 0 ? 0f : (float) (1e-3 * (1 + r.nextDouble()));
      float highest = t % 5 == 0 ? lowest : Math.max(lowest, (float) (1e-3 * (1 + r.nextDouble())));
      float threshold = t % 101 == 0 ? Float.NEGATIVE_INFINITY : (float) ((r.nextDouble() - 0.3) * 8000);
      int integer = DistractorScores.integerThreshold(threshold, lowest, highest);
      float[] scales = {lowest, highest, lowest + (highest - lowest) * (float) r.nextDouble()};
      int[] scores = {integer, integer - 1, integer + 1, r.nextInt(-8_300_000, 8_300_000)};
      for (float c : scales) {
        for (int s : scores) {
          if (Math.abs(s) < 8_300_000 && s * c > threshold) { // a real score's range: |s| ≤ 127 · 127 · 512
            assertTrue("threshold " + threshold + ", scales " + lowest + " to " + highest + ": score " + s + " at " + c
                + " passes the float test but not T = " + integer, s > integer);
          }
        }
      }
      if (lowest == highest && lowest > 0 && threshold > 0) {
        assertTrue("T = " + integer + " is loose for threshold " + threshold + " at " + lowest, (integer + 2) * lowest > threshold);
      }
    }
    assertEquals(-(1 << 30), DistractorScores.integerThreshold(Float.NEGATIVE_INFINITY, 1e-3f, 1e-3f));
    assertEquals(-(1 << 30), DistractorScores.integerThreshold(-5f, 0f, 1e-3f)); // a zero row passes any negative threshold
    assertEquals(1 << 30, DistractorScores.integerThreshold(1f, 0f, 0f)); // only zero rows: nothing beats a positive one
  }
}
