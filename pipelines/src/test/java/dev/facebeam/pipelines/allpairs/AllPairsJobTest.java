package dev.facebeam.pipelines.allpairs;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.facebeam.UserInputException;
import dev.facebeam.codec.export.NpyWriter;
import dev.facebeam.io.StageOutput;
import dev.facebeam.pipelines.stage.StageLayout;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The stage on the core's all-pairs fixture (core/src/test/resources/allpairs: 2,000 images, scores
 * exact in float32), run as a pipeline over blocks: every number equals scikit-learn's.
 */
public class AllPairsJobTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  private static final List<Double> FARS = List.of(1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 0.5, 1.0);
  private final PipelineOptions runner = PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create();

  private Path copy(String name) throws Exception {
    Path out = tmp.getRoot().toPath().resolve(name);
    try (InputStream in = AllPairsJobTest.class.getResourceAsStream("/allpairs/" + name)) {
      Files.copy(in, out);
    }
    return out;
  }

  AllPairsParams params(Path npy, Path labels, Path groups, String output) {
    return params(new AllPairsParams.Npy(npy, labels), groups, output);
  }

  AllPairsParams params(AllPairsParams.Source source, Path groups, String output) {
    return params(source, groups, null, output);
  }

  /** Scored by libtorch's matrix product (the default kernel), its undecided pairs rescored by the canonical one. */
  AllPairsParams params(AllPairsParams.Source source, Path groups, Path queries, String output) {
    return new AllPairsParams(source, groups, queries, FARS, "1e-6,1e-5,1e-4,1e-3,1e-2,1e-1,0.5,1", 700, "PyTorch", "fixture",
        tmp.getRoot().toPath().resolve(output));
  }

  @Test
  public void theReportHoldsScikitLearnsNumbersForAllImagesAndEachGroup() throws Exception {
    Path npy = copy("embeddings.npy");
    AllPairsReport r = AllPairsJob.run(params(npy, copy("labels.txt"), copy("groups.txt"), "out"), runner);
    checkAgainst("expected.json", r);
    Path out = tmp.getRoot().toPath().resolve("out");
    assertEquals(r, AllPairsReport.read(out.resolve(StageLayout.REPORT_JSON)));
    assertThat(Files.readString(out.resolve(StageLayout.REPORT_MD)), containsString("| all | 9000 | 1990000 |"));
    assertTrue(Files.size(out.resolve("roc.png")) > 1000);
    assertEquals("all-pairs", StageOutput.requireIntact(out).getStage());
    assertEquals(1_999_000L, StageOutput.requireIntact(out).getPairs());
    List<dev.facebeam.results.ResultRecord> records = AllPairsReport.records(out);
    assertEquals(List.of("fixture", "fixture/g0", "fixture/g1", "fixture/g2", "fixture/g3"),
        records.stream().map(dev.facebeam.results.ResultRecord::benchmark).toList());
    assertEquals(r.sets().get(0).tarAtFar().get("0.0001").tar(), records.get(0).metrics().tarAtFar().get("0.0001"));
  }

  /** Cross mode (every fifth row a query): the fixture's expected_cross.json, made by scikit-learn over those pairs only. */
  @Test
  public void crossModeHoldsScikitLearnsNumbersOverQueryToOtherPairs() throws Exception {
    AllPairsReport r = AllPairsJob.run(params(new AllPairsParams.Npy(copy("embeddings.npy"), copy("labels.txt")), copy("groups.txt"),
        copy("queries.txt"), "cross"), runner);
    assertEquals(AllPairsReport.CROSS, r.mode());
    checkAgainst("expected_cross.json", r);
  }

  private static void checkAgainst(String file, AllPairsReport r) throws Exception {
    JsonObject expected = JsonParser.parseString(new String(AllPairsJobTest.class.getResourceAsStream("/allpairs/" + file)
        .readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)).getAsJsonObject();
    assertEquals(List.of("all", "g0", "g1", "g2", "g3"), r.sets().stream().map(AllPairsReport.SetReport::name).toList());
    for (AllPairsReport.SetReport s : r.sets()) {
      JsonObject e = expected.getAsJsonObject(s.name());
      assertEquals(e.get("genuine").getAsLong(), s.genuine());
      assertEquals(e.get("impostor").getAsLong(), s.impostor());
      List<String> keys = List.of("1e-06", "1e-05", "0.0001", "0.001", "0.01", "0.1", "0.5", "1.0");
      for (int i = 0; i < FARS.size(); i++) {
        JsonElement want = e.getAsJsonObject("far").get(keys.get(i));
        AllPairsReport.Point got = s.tarAtFar().get(AllPairsReport.farKey(FARS.get(i)));
        if (want.isJsonNull()) {
          assertNull(got);
        } else {
          assertEquals(s.name() + " " + keys.get(i), want.getAsJsonObject().get("tar").getAsDouble(), got.tar(), 0.0);
          assertEquals(want.getAsJsonObject().get("far").getAsDouble(), got.far(), 0.0);
          assertEquals(want.getAsJsonObject().get("threshold").getAsDouble(), got.threshold(), 0.0);
          assertEquals(1 - got.tar(), got.fnmr(), 0.0);
        }
      }
      JsonObject eer = e.getAsJsonObject("eer");
      assertEquals(s.name() + " eer", eer.get("rate").getAsDouble(), s.eer().rate(), 1e-14);
      assertEquals(s.name() + " eer threshold", eer.get("threshold").getAsDouble(), s.eer().threshold(), 0.0);
    }
  }

  @Test
  public void badInputIsOneErrorNamingTheFileAndNothingIsWritten() throws Exception {
    Path npy = copy("embeddings.npy");
    Path labels = Files.writeString(tmp.getRoot().toPath().resolve("short.txt"), "1\n2\n");
    assertThat(assertThrows(UserInputException.class, () -> AllPairsJob.run(params(npy, labels, null, "a"), runner)).getMessage(),
        containsString("short.txt: has 2 labels but " + npy + " has 2000 rows"));
    Path good = copy("labels.txt");
    Path groups = Files.writeString(tmp.getRoot().toPath().resolve("g.txt"), "0\tA\n2000\tB\n");
    assertThat(assertThrows(UserInputException.class, () -> AllPairsJob.run(params(npy, good, groups, "b"), runner)).getMessage(),
        containsString("g.txt:2: names row 2000, but " + npy + " has 2000 rows"));
    Path nan = tmp.getRoot().toPath().resolve("nan.npy");
    try (NpyWriter w = new NpyWriter(nan, 3, 2)) {
      w.write(new float[] {1, 0, 0, 1, Float.NaN, 0});
    }
    Path three = Files.writeString(tmp.getRoot().toPath().resolve("three.txt"), "1\n2\n1\n");
    Throwable t = assertThrows(RuntimeException.class, () -> AllPairsJob.run(params(nan, three, null, "c"), runner));
    while (!(t instanceof UserInputException) && t.getCause() != null) {
      t = t.getCause();
    }
    assertThat(t.getMessage(), containsString(nan + "@row=2: holds a value that is not a finite number"));
    Path lonely = Files.writeString(tmp.getRoot().toPath().resolve("lonely.txt"), "0\n");
    Path odd = tmp.getRoot().toPath().resolve("odd.txt");
    Files.writeString(odd, "0\n" + (99_999) + "\n");
    assertThat(assertThrows(UserInputException.class, () -> AllPairsJob.run(params(new AllPairsParams.Npy(npy, good), null, odd, "d"),
        runner)).getMessage(), containsString("odd.txt:2: names row 99999, but " + npy + " has 2000 rows"));
    // Row 0's identity has 10 images; a query set of one image of an identity no other image has would have no genuine pair.
    long[] labelsOf = Files.readAllLines(good).stream().mapToLong(Long::parseLong).toArray();
    Path alone = tmp.getRoot().toPath().resolve("alone.txt");
    StringBuilder same = new StringBuilder();
    for (int i = 0; i < labelsOf.length; i++) {
      if (labelsOf[i] == labelsOf[0]) {
        same.append(i).append('\n');
      }
    }
    Files.writeString(alone, same.toString()); // every image of one identity: no query shares it with another image
    assertThat(assertThrows(UserInputException.class, () -> AllPairsJob.run(params(new AllPairsParams.Npy(npy, good), null, alone, "e"),
        runner)).getMessage(), containsString("alone.txt: no query shares an identity with an image outside it"));
    assertThat(AllPairsJob.run(params(new AllPairsParams.Npy(npy, good), null, lonely, "f"), runner).sets().get(0).genuine() + "",
        containsString("9")); // one query with nine same-identity others: nine genuine pairs
    for (String o : List.of("a", "b", "c", "d", "e")) {
      assertFalse(o, Files.exists(tmp.getRoot().toPath().resolve(o)));
    }
  }
}
