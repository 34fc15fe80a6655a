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

  /**
   * A row's integers are Math.rint of its scaled values (ties to even), and its three norms are upper
   * bounds of the exact ones (computed here in double, term by term as the definition reads), tight
   * to a part in 10⁴ (the residual also to 3 · 2⁻²⁴ of the row's norm: its float rounding; all to what underflow may lose): over lengths that are and are not multiples of 8, tiny and large magnitudes, a zero row.
   */
  @Test
  public void quantizedRowsRoundAsRintAndTheirNormsBoundTheExactOnes() {
    SplittableRandom r = new SplittableRandom(27);
    for (int t = 0; t < 3000; t++) {
      int n = 1 + r.nextInt(700);
      double magnitude = Math.pow(10, r.nextInt(-30, 10));
      float[] x = new float[n + 3];
      for (int k = 0; k < n; k++) {
        x[3 + k] = t % 500 == 0 ? 0f : (float) (r.nextGaussian() * magnitude);
      }
      x[3 + r.nextInt(n)] = t % 7 == 0 ? (float) (0.5 * magnitude) : x[3]; // exact halves at some scales
      byte[] q = new byte[n + 1];
      double[] stats = new double[3];
      int levels = t % 2 == 0 ? 127 : 63;
      float scale = QuantizedProduct.quantize(x, 3, n, q, 1, stats, levels, t % 3 == 0 ? 128 : 0, new float[2 * n]);
      float inverse = scale == 0f ? 0f : 1f / scale;
      double residual = 0;
      double quantized = 0;
      double norm = 0;
      for (int k = 0; k < n; k++) {
        int want = (int) Math.max(-levels, Math.min(levels, Math.rint(x[3 + k] * inverse)));
        assertEquals("row " + t + " value " + k, (byte) (want + (t % 3 == 0 ? 128 : 0)), q[1 + k]);
        double xh = (double) want * scale;
        residual += (x[3 + k] - xh) * (x[3 + k] - xh);
        quantized += xh * xh;
        norm += (double) x[3 + k] * x[3 + k];
      }
      double[] exact = {Math.sqrt(residual), Math.sqrt(quantized), Math.sqrt(norm)};
      for (int s = 0; s < 3; s++) {
        assertTrue("row " + t + " stat " + s + ": " + stats[s] + " below " + exact[s], stats[s] >= exact[s]);
        double slack = s == 0 ? 3 * 0x1p-24 * exact[2] : 0; // the residual's float rounding, relative to the row's norm
        assertTrue("row " + t + " stat " + s + ": " + stats[s] + " loose against " + exact[s], stats[s] <= exact[s] * (1 + 1e-4) + slack + 2 * Math.sqrt(n * 0x1p-148));
      }
    }
  }

  /** Two rows at once give the bits of two single canonical scores, at every length (remainders included). */
  @Test
  public void pairsOfCanonicalScoresAreTheSingleScoresBitForBit() {
    SplittableRandom r = new SplittableRandom(28);
    for (int d = 1; d <= 600; d++) {
      float[] x = new float[3 * d];
      float[] y = new float[2 * d];
      for (int k = 0; k < x.length; k++) {
        x[k] = (float) (r.nextGaussian() * Math.pow(2, r.nextInt(-20, 20)));
      }
      for (int k = 0; k < y.length; k++) {
        y[k] = (float) r.nextGaussian();
      }
      float[] out = new float[3];
      BlockProduct.canonicalPair(x, 2 * d, d, y, d, d, out, 1);
      assertEquals("d " + d, Float.floatToRawIntBits(BlockProduct.canonical(x, 2 * d, y, d, d)), Float.floatToRawIntBits(out[1]));
      assertEquals("d " + d, Float.floatToRawIntBits(BlockProduct.canonical(x, d, y, d, d)), Float.floatToRawIntBits(out[2]));
    }
  }
}
