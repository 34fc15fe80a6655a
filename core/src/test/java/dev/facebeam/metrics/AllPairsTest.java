package dev.facebeam.metrics;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

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

  /** The fixture as the evaluator's input: embeddings, labels, and groups in name order. */
  static AllPairs.Input fixtureInput() throws Exception {
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
    return new AllPairs.Input(rows, m.cols(), labels, groups, names);
  }

  @Test
  public void everyTarFarThresholdAndCountIsScikitLearns() throws Exception {
    assertEquals(36, checkAgainst("expected.json", AllPairs.evaluate(fixtureInput(), FARS)));
  }

  /**
   * A fast product that is never the canonical score: each call perturbs every score by up to 0.9 of
   * the bound it states, differently in every pass — the numbers must still be scikit-learn's, to the
   * last bit, because every pair whose fast score cannot decide is rescored.
   */
  @Test
  public void aFastProductWithinItsBoundGivesTheSameNumbers() throws Exception {
    assertEquals(36, checkAgainst("expected.json", AllPairs.evaluate(fixtureInput(), FARS, new Noisy(), 300)));
  }

  /** Cross mode: only pairs of a query (every fifth row) and a non-query image, as the fixture's expected_cross.json. */
  @Test
  public void crossModeCountsOnlyQueryToNonQueryPairs() throws Exception {
    AllPairs.Input all = fixtureInput();
    boolean[] queries = new boolean[all.labels().length];
    for (String line : Files.readAllLines(fixture("queries.txt"))) {
      queries[Integer.parseInt(line.strip())] = true;
    }
    AllPairs.Input in = new AllPairs.Input(all.rows(), all.labels(), all.groups(), all.groupNames(), queries);
    assertEquals(checkAgainst("expected_cross.json", AllPairs.evaluate(in, FARS)),
        checkAgainst("expected_cross.json", AllPairs.evaluate(in, FARS, new Noisy(), 256)));
  }

  /** Scores as the canonical kernel plus a pseudo-random error of up to 0.9 × the stated bound, new in every call. */
  static final class Noisy implements BlockProduct {
    private final java.util.Random random = new java.util.Random(11);
    private final BlockProduct.Canonical canonical = new BlockProduct.Canonical();

    @Override
    public float[] scores(float[] x, int bx, float[] y, int by, int d) {
      float[] out = canonical.scores(x, bx, y, by, d);
      for (int i = 0; i < bx; i++) {
        for (int j = 0; j < by; j++) {
          double noise = (2 * random.nextDouble() - 1) * 0.9 * bound(d, Math.sqrt(sq(x, i, d) * sq(y, j, d)));
          out[i * by + j] = (float) (out[i * by + j] + noise);
        }
      }
      return out;
    }

    private static double sq(float[] v, int row, int d) {
      double s = 0;
      for (int k = row * d; k < (row + 1) * d; k++) {
        s += (double) v[k] * v[k];
      }
      return s;
    }

    @Override
    public double bound(int d, double norms) {
      return BlockProduct.anyOrderBound(d, norms);
    }
  }

  /** Every set's counts, points and EER against a fixture's expected numbers; the points checked. */
  private static int checkAgainst(String file, Map<String, AllPairs.Result> got) throws Exception {
    JsonObject expected = JsonParser.parseString(Files.readString(fixture(file))).getAsJsonObject();
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
      JsonObject eer = e.getAsJsonObject("eer");
      assertEquals(set + " eer", eer.get("rate").getAsDouble(), r.eer().rate(), 1e-14); // brentq's root, to its tolerance
      assertEquals(set + " eer threshold", eer.get("threshold").getAsDouble(), r.eer().threshold(), 0.0);
    }
    return checked; // all-to-all: 8 FARs × 5 sets, less the four groups at 1e-6 (122,500 impostors: under one pair)
  }

  /**
   * What a cluster does: blocks counted in separate tallies, added in another order, the later pass
   * likewise — the same points as one machine's run.
   */
  @Test
  public void talliesOfBlocksAddUpInAnyOrderToTheSameNumbers() throws Exception {
    AllPairs.Input in = fixtureInput();
    List<AllPairs.Block> blocks = new ArrayList<>(AllPairs.blocks(in.labels().length, 300));
    long pairs = 0;
    for (AllPairs.Block b : blocks) {
      for (int i = b.i0(); i < b.i1(); i++) {
        pairs += Math.max(0, b.j1() - Math.max(i + 1, b.j0()));
      }
    }
    assertEquals(2000L * 1999 / 2, pairs); // every pair i < j in exactly one block
    java.util.Collections.shuffle(blocks, new java.util.Random(7));
    int sets = 1 + in.groupNames().size();
    AllPairs.Tally first = new AllPairs.Tally(sets);
    for (int part = 0; part < 4; part++) {
      AllPairs.Tally t = new AllPairs.Tally(sets);
      for (int k = part; k < blocks.size(); k += 4) {
        t.count(in, blocks.get(k), new BlockProduct.Canonical());
      }
      first.add(t);
    }
    AllPairs.Counted counted = new AllPairs.Counted();
    AllPairs.Resolution r;
    int passes = 1;
    while (!(r = AllPairs.resolve(first, counted, FARS, in.groupNames())).missing().isEmpty()) {
      AllPairs.Tally later = new AllPairs.Tally(sets, r.missing());
      for (int part = 0; part < 3; part++) {
        AllPairs.Tally t = new AllPairs.Tally(sets, r.missing());
        for (int k = part; k < blocks.size(); k += 3) {
          t.count(in, blocks.get(k), new BlockProduct.Canonical());
        }
        later.add(t);
      }
      counted.add(later);
      passes++;
    }
    assertEquals(AllPairs.evaluate(in, FARS).toString(), r.results().toString());
    // The first pass, one counting the bins of the thresholds and of the walks up from them, and one
    // more where a walk went on past the first genuine score above its threshold (a tie there).
    assertTrue("passes: " + passes, passes <= 3);
  }

  @Test
  public void aRowThatIsNotANumberIsAnErrorNamingIt() {
    float[] rows = {1, 0, 0, 1, Float.NaN, 0};
    assertEquals("embeddings@row=2: holds a value that is not a finite number", assertThrows(dev.facebeam.UserInputException.class,
        () -> AllPairs.evaluate(new AllPairs.Input(rows, 2, new long[] {1, 2, 1}, null, List.of()), FARS)).getMessage());
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
