package dev.facebeam.transforms;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

import dev.facebeam.codec.export.NpyWriter;
import dev.facebeam.codec.features.DistractorSlice;
import dev.facebeam.metrics.DistractorScores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** {@link ScoreDistractors} as Beam tests a transform: applied in a TestPipeline, its one result checked with PAssert. */
public class ScoreDistractorsTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();

  private static final int D = 8;
  private static final int N = 25_000; // three list slices of up to 10,000 lines
  private static final int[] SIZES = {10, 1000, N};
  private static final int K = 5;

  private static float[] unit(Random r) {
    float[] v = new float[D];
    double n = 0;
    for (int i = 0; i < D; i++) {
      v[i] = (float) r.nextGaussian();
      n += (double) v[i] * v[i];
    }
    for (int i = 0; i < D; i++) {
      v[i] = (float) (v[i] / Math.sqrt(n));
    }
    return v;
  }

  @Test
  public void eachProbesTopScoresPerSizeEqualABruteForce() throws Exception {
    Random r = new Random(3);
    float[][] probes = new float[4][];
    for (int i = 0; i < probes.length; i++) {
      probes[i] = unit(r);
    }
    float[][] distractors = new float[N][];
    StringBuilder list = new StringBuilder();
    Path npy = tmp.getRoot().toPath().resolve("d.npy");
    try (NpyWriter w = new NpyWriter(npy, N, D)) {
      for (int j = 0; j < N; j++) {
        distractors[j] = unit(r);
        w.write(distractors[j]);
        list.append(j % 100).append("/u").append(j).append("@N00/").append(j).append(".jpg\n");
      }
    }
    Path lst = Files.writeString(tmp.getRoot().toPath().resolve("d.lst"), list);
    List<DistractorSlice> slices = DistractorSlice.npy(npy, lst);
    assertEquals(3, slices.size());
    int[] keep = {40, 40, 40};
    // Expected, independently: every (probe, distractor) dot product, sorted.
    float[][][] expectedTop = new float[SIZES.length][probes.length][];
    for (int s = 0; s < SIZES.length; s++) {
      for (int i = 0; i < probes.length; i++) {
        float[] row = new float[SIZES[s]];
        for (int j = 0; j < SIZES[s]; j++) {
          double dot = 0;
          for (int k = 0; k < D; k++) {
            dot += (double) probes[i][k] * distractors[j][k];
          }
          row[j] = (float) dot;
        }
        Arrays.sort(row);
        expectedTop[s][i] = new float[K];
        for (int k = 0; k < K; k++) {
          expectedTop[s][i][k] = row[row.length - 1 - k];
        }
      }
    }

    PCollection<DistractorScores> scores = p
        .apply("Slices", Create.of(slices).withCoder(SerializableCoder.of(DistractorSlice.class)))
        .apply("Score", new ScoreDistractors(probes, SIZES, K, keep, 64, Set.of(), true));
    PAssert.thatSingleton(scores).satisfies(got -> {
      assertEquals(N, got.read());
      for (int s = 0; s < SIZES.length; s++) {
        assertEquals(SIZES[s], got.distractors(s));
        for (int i = 0; i < probes.length; i++) {
          assertArrayEquals("size " + SIZES[s] + ", probe " + i, expectedTop[s][i], got.topPerProbe(s)[i], 1e-5f);
        }
      }
      return null;
    });
    p.run().waitUntilFinish();
  }
}
