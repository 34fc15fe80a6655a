package dev.facebeam.metrics;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.Test;

/**
 * 20,000 images, 199,990,000 pairs, scored by libtorch's matrix product with the canonical rescoring:
 * every count, TAR, FAR, threshold and EER equals scikit-learn's over all pairs
 * (src/test/resources/allpairs/make_allpairs_20k.py; the embeddings drawn here by the same generator).
 * About 4 s: 16-d rows make the products cheap, the counting is the same as at 512-d.
 */
public class AllPairsScaleTest {
  private static final int N = 20_000;
  private static final int D = 16;
  private static final int IDS = 2_000;
  private static final double[] FARS = {1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 0.5, 1.0};
  private static final List<String> KEYS = List.of("1e-06", "1e-05", "0.0001", "0.001", "0.01", "0.1", "0.5", "1.0");

  /** make_allpairs_20k.py's generator: a 64-bit LCG, each draw (state >>> 33) % 2049 − 1024. */
  private static final class Lcg {
    long state;

    Lcg(long seed) {
      state = seed;
    }

    long next() {
      state = state * 6364136223846793005L + 1442695040888963407L;
      return (state >>> 33) % 2049 - 1024;
    }
  }

  static AllPairs.Input input() {
    Lcg g = new Lcg(20261206);
    long[] centres = new long[IDS * D];
    for (int k = 0; k < centres.length; k++) {
      centres[k] = g.next();
    }
    float[] x = new float[N * D];
    long[] labels = new long[N];
    int[] groups = new int[N];
    for (int i = 0; i < N; i++) {
      labels[i] = i % IDS;
      groups[i] = (int) (labels[i] % 4);
      for (int k = 0; k < D; k++) {
        long v = centres[(int) labels[i] * D + k] + Math.floorDiv(g.next() * 5, 8);
        x[i * D + k] = (float) Math.max(-1024, Math.min(1024, v)) / 1024f;
      }
    }
    return new AllPairs.Input(new AllPairs.MemoryRows(x, D), labels, groups, List.of("g0", "g1", "g2", "g3"), null);
  }

  @Test
  public void everyNumberOverTwoHundredMillionPairsIsScikitLearns() throws Exception {
    Map<String, AllPairs.Result> got;
    try (EngineProduct product = new EngineProduct("PyTorch", 0)) {
      got = AllPairs.evaluate(input(), FARS, product, 1024);
    }
    JsonObject expected = JsonParser.parseString(new String(AllPairsScaleTest.class.getResourceAsStream(
        "/allpairs/expected_20k.json").readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
    assertEquals(expected.keySet(), new java.util.TreeSet<>(got.keySet()));
    for (String set : expected.keySet()) {
      JsonObject e = expected.getAsJsonObject(set);
      AllPairs.Result r = got.get(set);
      assertEquals(set, e.get("genuine").getAsLong(), r.genuine());
      assertEquals(set, e.get("impostor").getAsLong(), r.impostor());
      for (int f = 0; f < FARS.length; f++) {
        JsonElement want = e.getAsJsonObject("far").get(KEYS.get(f));
        AllPairs.Operating op = r.atFar().get(FARS[f]);
        String at = set + " @" + KEYS.get(f);
        if (want.isJsonNull()) {
          assertNull(at, op);
          continue;
        }
        assertEquals(at + " tar", want.getAsJsonObject().get("tar").getAsDouble(), op.tar(), 0.0);
        assertEquals(at + " far", want.getAsJsonObject().get("far").getAsDouble(), op.far(), 0.0);
        assertEquals(at + " threshold", want.getAsJsonObject().get("threshold").getAsDouble(), op.threshold(), 0.0);
      }
      assertEquals(set + " eer", e.getAsJsonObject("eer").get("rate").getAsDouble(), r.eer().rate(), 1e-14);
      assertEquals(set + " eer threshold", e.getAsJsonObject("eer").get("threshold").getAsDouble(), r.eer().threshold(), 0.0);
    }
  }
}
