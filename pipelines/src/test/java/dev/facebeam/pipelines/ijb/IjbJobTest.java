package dev.facebeam.pipelines.ijb;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.facebeam.UserInputException;
import dev.facebeam.io.StageOutput;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The ijb stage on the synthetic IJB-C-layout testsuite (core's test resources, made by make_ijb.py
 * with the reference scripts' functions): report.json, report.md, scores.npy against the scripts' numbers.
 */
public class IjbJobTest {
  @ClassRule public static TemporaryFolder tmp = new TemporaryFolder();
  static Path root;
  static Path features;
  static JsonObject expected;

  @BeforeClass
  public static void unpack() throws Exception {
    root = tmp.getRoot().toPath().resolve("IJBC");
    Files.createDirectories(root.resolve("meta"));
    for (String f : new String[] {"ijbc_name_5pts_score.txt", "ijbc_face_tid_mid.txt", "ijbc_template_pair_label.txt",
        "ijbc_1N_gallery_G1.csv", "ijbc_1N_gallery_G2.csv", "ijbc_1N_probe_mixed.csv"}) {
      try (InputStream in = new GZIPInputStream(resource("IJBC/meta/" + f + ".gz"))) {
        Files.write(root.resolve("meta").resolve(f), in.readAllBytes());
      }
    }
    features = tmp.getRoot().toPath().resolve("r100-glint.npy");
    try (InputStream in = resource("features.npy")) {
      Files.write(features, in.readAllBytes());
    }
    try (InputStream in = resource("expected.json")) {
      expected = JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject()
          .getAsJsonObject("modes").getAsJsonObject("N1D1F2");
    }
  }

  static InputStream resource(String name) {
    return IjbJobTest.class.getResourceAsStream("/ijb/" + name);
  }

  static IjbOptions options(Path output) {
    IjbOptions o = PipelineOptionsFactory.create().as(IjbOptions.class);
    o.setInput(root.toString());
    o.setFeaturesNpy(features.toString());
    o.setOutput(output.toString());
    return o;
  }

  @Test
  public void theReportHoldsTheScriptsNumbersAndTheTablePapersCopy() throws Exception {
    Path out = tmp.getRoot().toPath().resolve("ijb");
    IjbReport r = IjbJob.run(options(out));
    JsonObject report = JsonParser.parseString(Files.readString(out.resolve("report.json"))).getAsJsonObject();
    assertEquals("IJBC", report.get("target").getAsString());
    assertEquals("N1D1F2", report.get("mode").getAsString());
    JsonObject oneToOne = report.getAsJsonObject("one_to_one");
    JsonObject want = expected.getAsJsonObject("one_to_one");
    for (String far : new String[] {"1e-06", "1e-05", "0.0001", "0.001", "0.01", "0.1"}) {
      assertEquals(far, want.getAsJsonObject("tar_at_far").get(far).getAsDouble(),
          oneToOne.getAsJsonObject("tar_at_far").get(far).getAsDouble(), 0.0);
      double atMost = oneToOne.getAsJsonObject("tar_at_far_at_most").getAsJsonObject(far).get("far").getAsDouble();
      assertTrue(far + ": the standard TAR's FAR is at most " + far, atMost <= Double.parseDouble(far));
    }
    assertEquals(want.get("auc").getAsDouble(), oneToOne.get("auc").getAsDouble(), 0.0);
    // The numbers also went to the results store beside the output, named by the feature file (no model file here).
    dev.facebeam.results.ResultRecord stored = dev.facebeam.results.ResultsStore.existing("--results",
        dev.facebeam.results.ResultsStore.besides(out.toString())).records().stream()
        .filter(rec -> rec.source().equals(out.toAbsolutePath().normalize().toString())).findFirst().orElseThrow();
    assertEquals("ijbc", stored.benchmark());
    assertEquals("r100-glint", stored.model());
    assertEquals(dev.facebeam.io.Digests.sha256(features), stored.modelSha256());
    assertEquals(want.getAsJsonObject("tar_at_far").get("0.0001").getAsDouble(), stored.metrics().tarAtFar().get("0.0001"), 0.0);
    JsonObject oneToN = report.getAsJsonObject("one_to_n");
    for (String k : new String[] {"top1", "top5", "top10"}) {
      assertEquals(k, expected.getAsJsonObject("one_to_n").get(k).getAsDouble(), oneToN.get(k).getAsDouble(), 0.0);
    }
    assertEquals(expected.getAsJsonObject("one_to_n").getAsJsonObject("tpir_at_fpir").get("0.01").getAsDouble(),
        oneToN.getAsJsonObject("tpir_at_fpir").get("0.01").getAsDouble(), 0.0);
    // CMC at ranks 1, 5, 10 is top-1, top-5, top-10; open set per gallery: its subjects' probes are mated.
    var cmc = oneToN.getAsJsonArray("cmc");
    assertEquals(20, cmc.size());
    assertEquals(oneToN.get("top1").getAsDouble(), cmc.get(0).getAsDouble(), 1e-12);
    assertEquals(oneToN.get("top5").getAsDouble(), cmc.get(4).getAsDouble(), 1e-12);
    assertEquals(oneToN.get("top10").getAsDouble(), cmc.get(9).getAsDouble(), 1e-12);
    java.util.Set<Integer> g1 = new java.util.HashSet<>();
    Files.readAllLines(root.resolve("meta/ijbc_1N_gallery_G1.csv")).stream().skip(1).forEach(l -> g1.add(Integer.parseInt(l.split(",")[1])));
    java.util.Map<Integer, Integer> probeSubject = new java.util.HashMap<>();
    Files.readAllLines(root.resolve("meta/ijbc_1N_probe_mixed.csv")).stream().skip(1)
        .forEach(l -> probeSubject.putIfAbsent(Integer.parseInt(l.split(",")[0]), Integer.parseInt(l.split(",")[1])));
    long matedG1 = probeSubject.values().stream().filter(g1::contains).count();
    JsonObject openG1 = oneToN.getAsJsonArray("open_set").get(0).getAsJsonObject();
    assertEquals("G1", openG1.get("gallery").getAsString());
    assertEquals(matedG1, openG1.get("mated").getAsLong());
    assertEquals(probeSubject.size() - matedG1, openG1.get("non_mated").getAsLong());
    assertTrue(Files.size(out.resolve("cmc.png")) > 1000);
    // The table as the script prints it ('%.2f' of the percentages, from Python on the same numbers).
    String md = Files.readString(out.resolve("report.md"));
    assertThat(md, containsString("| Methods | 1e-06 | 1e-05 | 1e-04 | 1e-03 | 1e-02 | 1e-01 |"));
    assertThat(md, containsString("| r100-glint-IJBC | 1.68 | 1.68 | 3.07 | 19.13 | 50.15 | 86.12 |"));
    assertThat(md, containsString("| 902 | 300 | 25.39 | 54.77 | 68.51 | 2.33 | 8.87 |"));
    // scores.npy: float32 in pair-file order, the scripts' float64 scores rounded.
    assertEquals(expected.get("templates").getAsInt(), r.templates());
    byte[] ref;
    try (InputStream in = resource("scores_N1D1F2.npy")) {
      ref = in.readAllBytes();
    }
    int header = 10 + (ref[8] & 0xff) + ((ref[9] & 0xff) << 8);
    ByteBuffer b = ByteBuffer.wrap(ref, header, ref.length - header).order(ByteOrder.LITTLE_ENDIAN);
    byte[] ours = Files.readAllBytes(out.resolve("scores.npy"));
    assertThat(new String(ours, 0, 128, StandardCharsets.US_ASCII), containsString("'descr': '<f4', 'fortran_order': False, 'shape': (20933,)"));
    ByteBuffer o = ByteBuffer.wrap(ours, 128, ours.length - 128).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < r.pairs(); i++) {
      assertEquals("pair " + i, (float) b.getDouble(), o.getFloat(), 0f);
    }
    assertTrue(Files.size(out.resolve("roc.png")) > 1000);
    assertEquals("ijb", StageOutput.readManifest(out).getStage());
    // One type writes and reads the report: read, written again, the same text.
    assertEquals(Files.readString(out.resolve("report.json")), IjbReport.read(out.resolve("report.json")).toJson());
    // A rerun into its own output replaces it with the same bytes.
    IjbJob.run(options(out));
    assertEquals(Files.readString(out.resolve("report.json")), r.toJson());
  }

  @Test
  public void methodsCompareInOneTableAndOneRoc() throws Exception {
    Path reference = tmp.getRoot().toPath().resolve("scripts.npy");
    try (InputStream in = resource("scores_N1D1F2.npy")) {
      Files.write(reference, in.readAllBytes()); // float64, as the reference scripts saved them
    }
    Path ours = tmp.getRoot().toPath().resolve("ours");
    IjbJob.run(options(ours));
    IjbOptions o = PipelineOptionsFactory.create().as(IjbOptions.class);
    o.setInput(root.toString());
    o.setScoresNpy(reference + "," + ours.resolve("scores.npy"));
    o.setLabels("scripts,facebeam");
    o.setOutput(tmp.getRoot().toPath().resolve("compare").toString());
    IjbComparison c = IjbJob.compare(o);
    assertEquals(2, c.methods().size());
    // The scripts' own scores give the scripts' table ('%.2f' from Python), AUC 94.90.
    assertThat(c.markdown(), containsString("| scripts-IJBC | 1.68 | 1.68 | 3.07 | 19.13 | 50.15 | 86.12 | 94.90 |"));
    assertEquals(expected.getAsJsonObject("one_to_one").get("auc").getAsDouble(), c.methods().get(0).auc(), 0.0);
    assertThat(c.markdown(), containsString("| facebeam-IJBC |"));
    assertTrue(Files.size(tmp.getRoot().toPath().resolve("compare/roc.png")) > 1000);
    assertEquals(c, IjbComparison.read(tmp.getRoot().toPath().resolve("compare/report.json")));
    o.setLabels("one");
    o.setOutput(tmp.getRoot().toPath().resolve("compare2").toString());
    assertThat(assertThrows(UserInputException.class, () -> IjbJob.compare(o)).getMessage(),
        containsString("--labels: names 1 methods for 2 score files"));
  }

  @Test
  public void badInputIsAnErrorBeforeAnythingIsWritten() throws Exception {
    Path out = tmp.getRoot().toPath().resolve("bad");
    IjbOptions o = options(out);
    o.setMode("N2D1F2");
    assertThat(assertThrows(UserInputException.class, () -> IjbJob.run(o)).getMessage(), containsString("--mode"));
    o.setMode("N1D1F2");
    o.setTarget("IJBA");
    assertThat(assertThrows(UserInputException.class, () -> IjbJob.run(o)).getMessage(), containsString("'IJBA' is not IJBB or IJBC"));
    o.setTarget(null);
    o.setFeaturesNpy(features + ".missing");
    assertThat(assertThrows(UserInputException.class, () -> IjbJob.run(o)).getMessage(), containsString("no such feature file"));
    assertTrue(!Files.exists(out));
  }
}
