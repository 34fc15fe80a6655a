package dev.facebeam.metrics;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.facebeam.codec.export.NpyMatrix;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.Test;

/**
 * The exact all-pairs numbers against scikit-learn's roc_curve over all 1,999,000 pairs of the
 * fixture (src/test/resources/allpairs/make_allpairs.py: scores exact in float32, so NumPy's and ours
 * are the same numbers; long one-impostor runs where drop_intermediate moves the vertex).
 */
public class AllPairsTest {
  static final double[] FARS = {1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 0.5, 1.0};

  private static Path fixture(String name) throws Exception {
    return Path.of(AllPairsTest.class.getResource("/allpairs/" + name).toURI());
  }

  @Test
  public void everyTarFarThresholdAndCountIsScikitLearns() throws Exception {
    NpyMatrix m = NpyMatrix.open(fixture("embeddings.npy"));
    float[] rows = new float[(int) m.rows() * m.cols()];
    m.readRows(0, (int) m.rows(), rows, 0);
    List<String> labelLines = Files.readAllLines(fixture("labels.txt"));
    long[] labels = labelLines.stream().mapToLong(Long::parseLong).toArray();
    List<String> names = new ArrayList<>();
    int[] groups = new int[labels.length];
    for (String line : Files.readAllLines(fixture("groups.txt"))) {
      String[] f = line.split("\t");
      if (!names.contains(f[1])) {
        names.add(f[1]);
      }
      groups[Integer.parseInt(f[0])] = names.indexOf(f[1]);
    }
    names.sort(null);
    for (String line : Files.readAllLines(fixture("groups.txt"))) {
      String[] f = line.split("\t");
      groups[Integer.parseInt(f[0])] = names.indexOf(f[1]);
    }
    Map<String, AllPairs.Result> got = AllPairs.evaluate(new AllPairs.Input(rows, m.cols(), labels, groups, names), FARS);
    JsonObject expected = JsonParser.parseString(Files.readString(fixture("expected.json"))).getAsJsonObject();
    assertEquals(expected.keySet(), new java.util.TreeSet<>(got.keySet()));
    int checked = 0;
    for (String set : expected.keySet()) {
      JsonObject e = expected.getAsJsonObject(set);
      AllPairs.Result r = got.get(set);
      assertEquals(set, e.get("genuine").getAsLong(), r.genuine());
      assertEquals(set, e.get("impostor").getAsLong(), r.impostor());
      for (double far : FARS) {
        JsonElement want = e.getAsJsonObject("far").get(pythonRepr(far));
        AllPairs.Operating op = r.atFar().get(far);
        if (want.isJsonNull()) {
          assertNull(set + " @" + far, op);
          continue;
        }
        JsonObject w = want.getAsJsonObject();
        String at = set + " @" + far;
        assertEquals(at + " tar", w.get("tar").getAsDouble(), op.tar(), 0.0);
        assertEquals(at + " far", w.get("far").getAsDouble(), op.far(), 0.0);
        assertEquals(at + " threshold", w.get("threshold").getAsDouble(), op.threshold(), 0.0);
        checked++;
      }
    }
    assertEquals(36, checked); // 8 FARs × 5 sets, less the four groups at 1e-6 (122,500 impostors: under one pair)
  }

  @Test
  public void aRowThatIsNotANumberIsAnErrorNamingIt() {
    float[] rows = {1, 0, 0, 1, Float.NaN, 0};
    assertThrows(IllegalArgumentException.class,
        () -> AllPairs.evaluate(new AllPairs.Input(rows, 2, new long[] {1, 2, 1}, null, List.of()), FARS));
  }

  @Test
  public void keysOrderScoresAsFloatsDo() {
    float[] v = {-Float.MAX_VALUE, -2.5f, -1e-30f, -0.0f, 0.0f, 1e-30f, 0.25f, 3f, Float.MAX_VALUE};
    for (int i = 1; i < v.length; i++) {
      assertEquals(Float.compare(v[i - 1] == 0f ? 0f : v[i - 1], v[i] == 0f ? 0f : v[i]) < 0,
          AllPairs.key(v[i - 1]) < AllPairs.key(v[i]));
      assertEquals(v[i] == 0f ? 0f : v[i], AllPairs.score(AllPairs.key(v[i])), 0f);
    }
  }

  /** Python's repr of the FARs used: 1e-06, 1e-05, 0.0001, 0.001, 0.01, 0.1, 0.5, 1.0. */
  private static String pythonRepr(double far) {
    if (far < 1e-4) {
      return String.format(java.util.Locale.ROOT, "1e-%02d", Math.round(-Math.log10(far)));
    }
    String plain = java.math.BigDecimal.valueOf(far).stripTrailingZeros().toPlainString();
    return plain.contains(".") ? plain : plain + ".0";
  }
}
