package dev.facebeam.pipelines.evaluate;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.facebeam.UserInputException;
import dev.facebeam.pipelines.Fixtures;
import dev.facebeam.pipelines.embed.EmbedOptions;
import dev.facebeam.pipelines.embed.EmbedPipeline;
import dev.facebeam.pipelines.embed.EmbedPipelineTest;
import dev.facebeam.pipelines.ingest.IngestOptions;
import dev.facebeam.pipelines.ingest.IngestPipeline;
import dev.facebeam.pipelines.pack.PackJob;
import dev.facebeam.pipelines.pack.PackOptions;
import dev.facebeam.pipelines.verify.VerifyJob;
import dev.facebeam.pipelines.verify.VerifyOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class EvaluateJobTest {
  @ClassRule public static TemporaryFolder tmp = new TemporaryFolder();
  private static Path dataset;

  /** A dataset folder: the real small LFW pack as lfw.bin, and an ORL pack built with pack as cfp_fp.bin. */
  @BeforeClass
  public static void dataset() throws Exception {
    System.setProperty("ai.djl.offline", "true");
    dataset = tmp.newFolder("dataset").toPath();
    Files.copy(Fixtures.shared("bin/small_lfw.bin"), dataset.resolve("lfw.bin"));
    StringBuilder pairs = new StringBuilder();
    // 20 same-person pairs and 20 different-person pairs of ORL, interleaved so each fold has both.
    for (int i = 1; i <= 20; i++) {
      int s = i;
      int t = i % 40 + 1;
      pairs.append("s").append(s).append("/1.pgm s").append(s).append("/2.pgm 1\n");
      pairs.append("s").append(s).append("/3.pgm s").append(t + 19 > 40 ? t : t + 19).append("/3.pgm 0\n");
    }
    Path pairsFile = tmp.getRoot().toPath().resolve("orl-pairs.txt");
    Files.writeString(pairsFile, pairs.toString());
    PackOptions p = Fixtures.packOptions(Fixtures.shared("orl"), dataset.resolve("orl.bin"));
    p.setPairs(pairsFile.toString());
    PackJob.run(p);
  }

  static EvaluateOptions options(Path output, String targets) {
    EvaluateOptions o = PipelineOptionsFactory.fromArgs("--runner=DirectRunner").as(EvaluateOptions.class);
    o.setDataset(dataset.toString());
    o.setModel(Fixtures.shared("models/faceplugin/fr_feature.onnx").toString());
    o.setOutput(output.toString());
    o.setTargets(targets);
    o.setMean(127f);
    return o;
  }

  @Test
  public void evaluateRunsEveryFoundTargetAndWritesTheTable() throws Exception {
    Path out = tmp.getRoot().toPath().resolve("eval");
    EvaluateOptions options = options(out, "lfw,orl,agedb_30");
    String jobName = options.getJobName();
    EvaluateJob.Result r = EvaluateJob.run(options);
    assertEquals(List.of("agedb_30"), r.missing());
    // Each stage got its parameters as values: the caller's options are as they were (Beam's
    // options share one property map, so a stage that set its paths there would show here).
    assertEquals(out.toString(), options.getOutput());
    assertEquals(null, options.as(IngestOptions.class).getInput());
    assertEquals(null, options.as(EmbedOptions.class).getRecords());
    assertEquals(null, options.as(VerifyOptions.class).getEmbeddings());
    assertEquals(jobName, options.getJobName());
    // small_lfw: 10 same-person pairs, one per fold; the real model gets 9 of them under the
    // threshold learnt on the other nine folds.
    assertEquals(0.9, r.accuracyFlip().get("lfw"), 1e-12);
    double orl = r.accuracyFlip().get("orl");
    assertTrue("ORL accuracy " + orl, orl > 0.5 && orl <= 1.0);
    String table = Files.readString(out.resolve("results.md"));
    assertThat(table, containsString("| model | LFW | orl | AgeDB-30 |"));
    assertThat(table, containsString("| fr_feature | 90.00 | "));
    String report = Files.readString(out.resolve("lfw/verify/report.json"));
    assertThat(report, containsString("\"pairs\": 10"));
    assertThat(report, containsString("\"folds\": 10"));
    assertThat(report, containsString("\"val\": null"));
    assertTrue(Files.size(out.resolve("lfw/verify/roc.png")) > 1000);
    assertThat(Files.readString(out.resolve("lfw/verify/report.md")), containsString("[lfw]Accuracy-Flip: 0.90000+-0.30000"));
    // A second model's row joins the first: rows accumulate.
    EvaluateJob.writeTable(out, "another-model", "0", List.of("lfw", "orl", "agedb_30"),
        java.util.Map.of("lfw", 0.5));
    String both = Files.readString(out.resolve("results.md"));
    assertThat(both, containsString("| another-model | 50.00 | – | – |"));
    assertThat(both, containsString("| fr_feature | 90.00 |"));
    // The same model again on one target only: its other cells and the other row stay.
    EvaluateJob.run(options(out, "orl"));
    String again = Files.readString(out.resolve("results.md"));
    assertThat(again, containsString("| fr_feature | 90.00 | "));
    assertThat(again, containsString("| another-model | 50.00 | – | – |"));
    System.out.println("ORL verification accuracy-flip with fr_feature.onnx: " + orl);
  }

  @Test
  public void rowsMergeByModelAndShaAndNeverLoseACellTheyDidNotRecompute() throws Exception {
    Path out = tmp.newFolder("merge").toPath();
    java.util.Map<String, Double> first = new java.util.HashMap<>();
    first.put("lfw", 0.9);
    first.put("cfp_fp", 0.8);
    EvaluateJob.writeTable(out, "r50", "aaaa1111bbbb2222", List.of("lfw", "cfp_fp"), first);
    // The same model on other targets: the earlier cells stay, the new column joins.
    EvaluateJob.writeTable(out, "r50", "aaaa1111bbbb2222", List.of("agedb_30"), java.util.Map.of("agedb_30", 0.7));
    // Its lfw pack missing this time: the 90.00 is kept, not replaced by a blank.
    java.util.Map<String, Double> missing = new java.util.HashMap<>();
    missing.put("lfw", null);
    EvaluateJob.writeTable(out, "r50", "aaaa1111bbbb2222", List.of("lfw"), missing);
    // Another file under the same name (a retrained r50) is its own row.
    EvaluateJob.writeTable(out, "r50", "cccc3333dddd4444", List.of("lfw"), java.util.Map.of("lfw", 0.5));
    String md = Files.readString(out.resolve("results.md"));
    assertThat(md, containsString("| model | LFW | CFP-FP | AgeDB-30 |"));
    assertThat(md, containsString("| r50 (aaaa1111bbbb) | 90.00 | 80.00 | 70.00 |"));
    assertThat(md, containsString("| r50 (cccc3333dddd) | 50.00 | – | – |"));
    // Cells round as Python's '%.2f' does (0.90005 → 90.00), as every other table facebeam prints.
    EvaluateJob.writeTable(out, "r18", "eeee5555ffff6666", List.of("lfw"), java.util.Map.of("lfw", 0.90005));
    assertThat(Files.readString(out.resolve("results.md")), containsString("| r18 | 90.00 | – | – |"));
    // The table reads back through the type that wrote it, and writes the same bytes again.
    ResultsTable back = ResultsTable.read(out.resolve("results.json"));
    assertEquals(Files.readString(out.resolve("results.json")), back.toJson());
    assertEquals(0.9, back.rows().get(0).accuracyFlip().get("lfw"), 0);
  }

  @Test
  public void verifyNeedsPairInformation() throws Exception {
    Path records = tmp.getRoot().toPath().resolve("orl-records");
    IngestPipeline.run(Fixtures.ingestOptions(Fixtures.shared("orl"), records));
    EmbedOptions e = EmbedPipelineTest.options(records, tmp.getRoot().toPath().resolve("orl-emb"));
    EmbedPipeline.run(e);
    VerifyOptions v = PipelineOptionsFactory.create().as(VerifyOptions.class);
    v.setEmbeddings(tmp.getRoot().toPath().resolve("orl-emb").toString());
    v.setOutput(tmp.getRoot().toPath().resolve("orl-verify").toString());
    UserInputException x = assertThrows(UserInputException.class, () -> VerifyJob.run(v));
    assertThat(x.getMessage(), containsString("embeddings without pair information"));
  }
}
