package dev.facebeam.metrics;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.IntBuffer;
import java.util.SplittableRandom;
import org.junit.Test;

/**
 * The 8-bit filter keeps exactly what the canonical float32 scores keep: every probe's top-K and the
 * impostor lists of every distractor-set size, against offering every canonical score (a brute force
 * over all pairs); and every approximate score lies within its stated bound.
 */
public class QuantizedProductTest {
  private static final int P = 150;
  private static final int N = 3000;
  private static final int D = 64;

  private static float[] rows(SplittableRandom r, int n, double[] spectrum) {
    float[] v = new float[n * D];
    for (int i = 0; i < n; i++) {
      double norm = 0;
      for (int k = 0; k < D; k++) {
        v[i * D + k] = (float) (r.nextGaussian() * spectrum[k]);
        norm += v[i * D + k] * v[i * D + k];
      }
      for (int k = 0; k < D; k++) {
        v[i * D + k] /= (float) Math.sqrt(norm);
      }
    }
    return v;
  }

  @Test
  public void keepsWhatTheCanonicalScoresKeep() throws Exception {
    SplittableRandom r = new SplittableRandom(25);
    double[] spectrum = new double[D];
    for (int k = 0; k < D; k++) {
      spectrum[k] = Math.exp(-k / 20.0);
    }
    float[] probes = rows(r, P, spectrum);
    float[] distractors = rows(r, N, spectrum);
    // Ties: some distractors repeat earlier ones exactly, so equal canonical scores meet at the lists' floors.
    for (int j = 2500; j < N; j++) {
      System.arraycopy(distractors, (j - 2500) * D, distractors, j * D, D);
    }
    int[] sizes = {100, 1000, N};
    int[] keep = {40, 400, 1500};
    DistractorScores brute = new DistractorScores(sizes, P, 5, keep);
    float[] all = new float[P * N];
    for (int i = 0; i < P; i++) {
      for (int j = 0; j < N; j++) {
        all[i * N + j] = BlockProduct.canonical(probes, i * D, distractors, j * D, D);
      }
    }
    long[] index = new long[N];
    for (int j = 0; j < N; j++) {
      index[j] = j;
    }
    brute.add(all, P, index, N);

    float[][] probeRows = new float[P][];
    for (int i = 0; i < P; i++) {
      probeRows[i] = java.util.Arrays.copyOfRange(probes, i * D, (i + 1) * D);
    }
    DistractorScores filtered = new DistractorScores(sizes, P, 5, keep);
    DistractorScores.Floors known = new DistractorScores.Floors(sizes.length, P);
    long pairs = 0;
    try (QuantizedProduct q = new QuantizedProduct(probeRows, 1)) {
      for (int j0 = 0; j0 < N; j0 += 512) {
        int b = Math.min(512, N - j0);
        float[] block = java.util.Arrays.copyOfRange(distractors, j0 * D, (j0 + b) * D);
        long[] blockIndex = java.util.Arrays.copyOfRange(index, j0, j0 + b);
        q.load(block, b);
        IntBuffer dots = q.scores(0, b);
        for (int at = 0; at < b; at++) { // every approximate score within its pair's bound, which is within the product's
          int j = q.row(at);
          if (at > 0) {
            assertTrue("rows in order of scale", q.blockScale(q.row(at - 1)) <= q.blockScale(j));
          }
          for (int i = 0; i < P; i++) {
            double approx = (double) dots.get(at * q.stride() + i) * q.blockScale(j) * q.probeScale(i);
            assertTrue("probe " + i + " distractor " + (j0 + j) + ": approximate " + approx + ", canonical " + all[i * N + j0 + j]
                + ", bound " + q.bound(i, j), Math.abs(approx - all[i * N + j0 + j]) <= q.bound(i, j));
            assertTrue(q.bound(i, j) <= q.bound(i));
          }
        }
        DistractorScores part = new DistractorScores(sizes, P, 5, keep); // one bundle per block, as a worker's
        part.add(q, block, blockIndex, b, known);
        pairs += part.candidates();
        known.raise(part);
        filtered.merge(part);
      }
    }
    for (int s = 0; s < sizes.length; s++) {
      assertEquals(brute.distractors(s), filtered.distractors(s));
      assertArrayEquals("impostors, size " + sizes[s], brute.topImpostors(s), filtered.topImpostors(s), 0f);
      float[][] want = brute.topPerProbe(s);
      float[][] got = filtered.topPerProbe(s);
      for (int i = 0; i < P; i++) {
        assertArrayEquals("probe " + i + ", size " + sizes[s], want[i], got[i], 0f);
      }
    }
    assertTrue("the filter rescored " + pairs + " of " + (long) P * N + " pairs", pairs < (long) P * N / 2);
  }
}
