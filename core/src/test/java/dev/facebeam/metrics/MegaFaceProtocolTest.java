package dev.facebeam.metrics;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.Test;

public class MegaFaceProtocolTest {
  /** A random unit vector (shared by the metrics tests). */
  static float[] unit(Random r, int d) {
    float[] v = new float[d];
    double n = 0;
    for (int i = 0; i < d; i++) {
      v[i] = (float) r.nextGaussian();
      n += v[i] * v[i];
    }
    for (int i = 0; i < d; i++) {
      v[i] /= (float) Math.sqrt(n);
    }
    return v;
  }

  private static float[] near(float[] base, Random r, double noise) {
    float[] v = base.clone();
    double n = 0;
    for (int i = 0; i < v.length; i++) {
      v[i] += (float) (noise * r.nextGaussian());
      n += v[i] * v[i];
    }
    for (int i = 0; i < v.length; i++) {
      v[i] /= (float) Math.sqrt(n);
    }
    return v;
  }

  @Test
  public void matchesABruteForceReferenceWithNoiseLists() {
    Random r = new Random(42);
    int d = 16;
    int[] sizes = {3, 4, 5, 2};
    List<float[]> probeList = new ArrayList<>();
    List<Integer> ids = new ArrayList<>();
    for (int c = 0; c < sizes.length; c++) {
      float[] centre = unit(r, d);
      for (int i = 0; i < sizes[c]; i++) {
        probeList.add(near(centre, r, 0.08));
        ids.add(c);
      }
    }
    int np = probeList.size();
    float[][] probes = probeList.toArray(new float[0][]);
    int[] identity = ids.stream().mapToInt(Integer::intValue).toArray();
    boolean[] noisyProbe = new boolean[np];
    noisyProbe[5] = true; // a mislabelled probe of identity 1
    probes[5] = unit(r, d);
    int nd = 40;
    float[][] distractors = new float[nd][];
    boolean[] noisyDistractor = new boolean[nd];
    for (int i = 0; i < nd; i++) {
      distractors[i] = unit(r, d);
    }
    distractors[7] = probes[0].clone(); // a celebrity among the distractors: it would beat every true match of probe 0
    noisyDistractor[7] = true;

    // --- brute force, written out plainly ---
    float[][] clean = new float[np][];
    for (int i = 0; i < np; i++) {
      if (!noisyProbe[i]) {
        clean[i] = probes[i];
        continue;
      }
      double[] sum = new double[d];
      for (int j = 0; j < np; j++) {
        if (identity[j] == identity[i] && !noisyProbe[j]) {
          for (int k = 0; k < d; k++) {
            sum[k] += probes[j][k];
          }
        }
      }
      double n = Math.sqrt(Arrays.stream(sum).map(x -> x * x).sum());
      clean[i] = new float[d];
      for (int k = 0; k < d; k++) {
        clean[i][k] = (float) (sum[k] / n);
      }
    }
    int k = 5;
    long trials = 0;
    long correct = 0;
    long[] withinRank = new long[k];
    List<Float> genuine = new ArrayList<>();
    List<Float> impostor = new ArrayList<>();
    for (int p = 0; p < np; p++) {
      for (int dd = 0; dd < nd; dd++) {
        if (!noisyDistractor[dd]) {
          impostor.add(MegaFaceProtocol.dot(clean[p], distractors[dd]));
        }
      }
      for (int g = 0; g < np; g++) {
        if (g == p || identity[g] != identity[p]) {
          continue;
        }
        float s = MegaFaceProtocol.dot(clean[p], clean[g]);
        genuine.add(s);
        trials++;
        int better = 0;
        for (int dd = 0; dd < nd; dd++) {
          if (!noisyDistractor[dd] && MegaFaceProtocol.dot(clean[p], distractors[dd]) > s) {
            better++;
          }
        }
        if (better == 0) {
          correct++;
        }
        for (int rank = 1; rank <= k; rank++) {
          if (better < rank) {
            withinRank[rank - 1]++;
          }
        }
      }
    }
    impostor.sort((a, b) -> Float.compare(b, a));
    double far = 0.05;
    int kImp = (int) Math.floor(far * impostor.size());
    float thr = impostor.get(kImp - 1);
    long accepted = genuine.stream().filter(s -> s >= thr).count();

    // --- the protocol, fed the way the pipeline feeds it: top-K per probe from blocks ---
    MegaFaceProtocol.Probes cleaned = MegaFaceProtocol.cleanProbes(probes, identity, noisyProbe);
    assertEquals(1, cleaned.replaced());
    List<MegaFaceProtocol.Trial> t = MegaFaceProtocol.trials(cleaned.vectors(), identity);
    float[][] top = new float[np][];
    TopScores globalImpostors = new TopScores(kImp + 1);
    for (int p = 0; p < np; p++) {
      TopScores[] blocks = {new TopScores(k), new TopScores(k)};
      for (int dd = 0; dd < nd; dd++) {
        if (!noisyDistractor[dd]) {
          float s = MegaFaceProtocol.dot(cleaned.vectors()[p], distractors[dd]);
          blocks[dd % 2].offer(s);
          globalImpostors.offer(s);
        }
      }
      blocks[0].merge(blocks[1]);
      top[p] = blocks[0].descending();
    }
    MegaFaceProtocol.Identification id = MegaFaceProtocol.identify(t, top, k);
    assertEquals(trials, id.trials());
    assertEquals(2 * 3 + 4 * 3 + 5 * 4 + 2 * 1, id.trials()); // Σ n(n−1)
    assertEquals(correct, id.correct());
    for (int rank = 0; rank < k; rank++) {
      assertEquals((double) withinRank[rank] / trials, id.cmc()[rank], 1e-12);
    }
    MegaFaceProtocol.TarAtFar tar = MegaFaceProtocol.tarAtFar(t, globalImpostors.descending(), impostor.size(), far);
    assertEquals(thr, tar.threshold(), 0f);
    assertEquals((double) accepted / genuine.size(), tar.tar(), 1e-12);
    assertEquals((double) kImp / impostor.size(), tar.far(), 1e-12);
    // Without the noise list the celebrity distractor beats probe 0's true matches.
    float[][] topDirty = top.clone();
    float celebrity = MegaFaceProtocol.dot(cleaned.vectors()[0], distractors[7]);
    float[] withCeleb = Arrays.copyOf(top[0], k + 1);
    withCeleb[k] = celebrity;
    Arrays.sort(withCeleb);
    float[] desc = new float[k];
    for (int i = 0; i < k; i++) {
      desc[i] = withCeleb[k - i];
    }
    topDirty[0] = desc;
    List<MegaFaceProtocol.Trial> probe0 = t.stream().filter(x -> x.probe() == 0).toList();
    assertEquals(2, MegaFaceProtocol.identify(probe0, top, k).correct());
    assertEquals(0, MegaFaceProtocol.identify(probe0, topDirty, k).correct());
  }

  @Test
  public void topScoresKeepsTheHighestInOrder() {
    TopScores t = new TopScores(3);
    for (float f : new float[] {0.1f, 0.9f, 0.5f, 0.7f, 0.2f}) {
      t.offer(f);
    }
    assertArrayEquals(new float[] {0.9f, 0.7f, 0.5f}, t.descending(), 0f);
  }

  @Test
  public void singleImageIdentitiesGiveNoTrials() {
    float[][] p = {{1, 0}, {0, 1}};
    assertEquals(0, MegaFaceProtocol.trials(p, new int[] {0, 1}).size());
  }
}
