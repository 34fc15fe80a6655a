package dev.facebeam.pipelines.run;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeFalse;

import dev.facebeam.UserInputException;
import dev.facebeam.io.StageOutput;
import dev.facebeam.pipelines.Fixtures;
import dev.facebeam.pipelines.embed.ModelParams;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class RunJobTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  private RunOptions options(Path config, Path work) {
    RunOptions o = PipelineOptionsFactory.fromArgs("--runner=DirectRunner").as(RunOptions.class);
    o.setConfig(config.toString());
    o.setWorkdir(work.toString());
    return o;
  }

  private static String config(Path dataset, String mean, String targets) {
    return "{\"dataset\": \"" + dataset + "\", \"targets\": [" + targets + "], \"model\": \""
        + Fixtures.shared("models/faceplugin/fr_feature.onnx") + "\", \"mean\": " + mean + "}";
  }

  /** No fixtures needed: the shipped demo config's fallback, where ../shared/data is absent. */
  @Test
  public void theDemoRunsOnAGeneratedPackWhereTheFixturesAreAbsent() throws Exception {
    System.setProperty("ai.djl.offline", "true");
    Path config = tmp.getRoot().toPath().resolve("demo.json");
    // The shipped config's own paths, relative to this module's folder, where ../shared/data never is.
    assumeFalse("a ../shared/data beside this module would hide the fallback", Files.exists(Path.of(DemoPack.SHIPPED_DATASET)));
    Files.writeString(config, "{\"dataset\": \"" + DemoPack.SHIPPED_DATASET + "\", \"targets\": [\"small_lfw\"], \"model\": \""
        + DemoPack.SHIPPED_MODEL + "\", \"mean\": 127, \"demo_fallback\": true,"
        + " \"batch_size\": 2}"); // the direct runner hands over small bundles: no padding to 64
    Path work = tmp.getRoot().toPath().resolve("work");
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream log = new PrintStream(buf, true, StandardCharsets.UTF_8);
    RunJob.Result first = RunJob.run(options(config, work), log);
    assertThat(buf.toString(StandardCharsets.UTF_8), containsString("not found: running the demo on a generated pack instead"));
    assertEquals(List.of("ingest/demo", "embed/demo", "verify/demo"), first.ran());
    var ingest = StageOutput.readManifest(work.resolve("ingest/demo"));
    assertEquals(2L * DemoPack.PAIRS, ingest.getWritten());
    assertEquals(0L, ingest.getRejected());
    String report = Files.readString(work.resolve("verify/demo/report.json"));
    assertThat(report, containsString("\"pairs\": " + DemoPack.PAIRS));
    double acc = first.rows().get(0).accuracyFlip();
    assertTrue("an accuracy in [0, 1]: " + acc, acc >= 0 && acc <= 1);
    assertThat(Files.readString(work.resolve("report.md")), containsString("| demo-ir-small-untrained |"));
    // The generated pack is kept: a rerun sees the same inputs and skips every stage.
    assertEquals(List.of("ingest/demo", "embed/demo", "verify/demo"), RunJob.run(options(config, work), log).skipped());
  }

  @Test
  public void aMisspeltFieldOrAMissingModelNamedByTheUserIsAnErrorNeverTheDemo() throws Exception {
    Path dataset = tmp.newFolder("my-packs").toPath();
    Path work = tmp.getRoot().toPath().resolve("typo-work");
    Path config = tmp.getRoot().toPath().resolve("mine.json");
    // Copied from configs/demo-run.json, then edited: "meen" would silently change the normalisation.
    Files.writeString(config, "{\"dataset\": \"" + dataset + "\", \"targets\": [\"lfw\"], \"model\": \"" + dataset.resolve("r50.onnx")
        + "\", \"meen\": 127, \"demo_fallback\": true}");
    UserInputException e = assertThrows(UserInputException.class, () -> RunJob.run(options(config, work), System.out));
    assertThat(e.getMessage(), containsString("unknown field 'meen'"));
    assertThat(e.getMessage(), containsString("mine.json"));
    // Fixed, but the model path has a typo: an error naming it, not an untrained demo model.
    Files.writeString(config, "{\"dataset\": \"" + dataset + "\", \"targets\": [\"lfw\"], \"model\": \"" + dataset.resolve("r50.onnx")
        + "\", \"mean\": 127, \"demo_fallback\": true}");
    e = assertThrows(UserInputException.class, () -> RunJob.run(options(config, work), System.out));
    assertThat(e.getMessage(), containsString("mine.json: model"));
    assertThat(e.getMessage(), containsString("r50.onnx"));
    assertFalse("nothing is written before the config is sound", Files.exists(work));
    // A nested section is checked too.
    Files.writeString(config, "{\"dataset\": \"" + dataset + "\", \"targets\": [\"lfw\"], \"model\": \"" + config
        + "\", \"megaface\": {\"pack\": \"" + dataset + "\", \"top-k\": 5}}");
    e = assertThrows(UserInputException.class, () -> RunJob.run(options(config, work), System.out));
    assertThat(e.getMessage(), containsString("unknown field 'megaface.top-k'"));
  }

  @Test
  public void theShippedDemoConfigNamesTheFixturesTheFallbackStandsFor() throws Exception {
    RunConfig demo = RunConfig.read(Path.of("../configs/demo-run.json"));
    assertTrue(DemoPack.isShippedDemo(demo.dataset(), demo.model()));
    assertEquals(List.of("small_lfw"), demo.targets());
    assertEquals(new ModelParams("auto", true, 64, "cpu", 127f, null, null, null), demo.modelParams());
  }

  @Test
  public void everyConfigMemberReachesItsSetting() throws Exception {
    Path config = tmp.newFile("every.json").toPath();
    Files.writeString(config, """
        {"description": "d", "dataset": "data", "targets": ["lfw", "cfp_fp"], "model": "m.onnx", "engine": "OnnxRuntime",
         "mean": 127.5, "scale": 0.0078125, "channel_order": "BGR", "input_size": 128, "flip": false, "batch_size": 8,
         "demo_fallback": false, "megaface": {"top_k": 5, "pack": "mf", "sizes": "10,100", "far": "1e-3"}}
        """);
    RunConfig c = RunConfig.read(config);
    assertEquals(List.of("d", "data", List.of("lfw", "cfp_fp"), "m.onnx", false),
        List.of(c.description(), c.dataset(), c.targets(), c.model(), c.demoFallback()));
    assertEquals(new ModelParams("OnnxRuntime", false, 8, "cpu", 127.5f, 0.0078125f, "BGR", 128), c.modelParams());
    // The MegaFace section's fingerprint is its text as given, in the user's order.
    assertEquals(new RunConfig.Megaface("mf", "10,100", "1e-3", 5, "{\"top_k\":5,\"pack\":\"mf\",\"sizes\":\"10,100\",\"far\":\"1e-3\"}"),
        c.megaface());
    // The demo's generated model brings its own preprocessing: the config's overrides are dropped.
    assertEquals(new ModelParams("auto", false, 8, "cpu", null, null, null, null),
        c.withGeneratedModel(Path.of("gen")).modelParams());
  }

  @Test
  public void syntheticIdentitiesDifferMoreThanTheirOwnImages() {
    // Independent of any model: the pack's same-identity images are closer in pixels than different identities'.
    double same = 0;
    double other = 0;
    for (int id = 0; id < 10; id++) {
      same += pixelDistance(DemoPack.face(id, 0), DemoPack.face(id, 1));
      other += pixelDistance(DemoPack.face(id, 0), DemoPack.face((id + 1) % DemoPack.IDENTITIES, 1));
    }
    assertTrue("same " + same + " vs different " + other, same < 0.6 * other);
  }

  private static double pixelDistance(java.awt.image.BufferedImage a, java.awt.image.BufferedImage b) {
    double d = 0;
    for (int y = 0; y < 112; y++) {
      for (int x = 0; x < 112; x++) {
        int p = a.getRGB(x, y);
        int q = b.getRGB(x, y);
        for (int s = 0; s < 24; s += 8) {
          d += Math.abs(((p >> s) & 255) - ((q >> s) & 255));
        }
      }
    }
    return d;
  }

  @Test
  public void unchangedStagesAreSkippedAndChangedOnesRerun() throws Exception {
    System.setProperty("ai.djl.offline", "true");
    Path dataset = tmp.newFolder("dataset").toPath();
    Files.copy(Fixtures.shared("bin/small_lfw.bin"), dataset.resolve("lfw.bin"));
    Path config = tmp.getRoot().toPath().resolve("run.json");
    Files.writeString(config, config(dataset, "127", "\"lfw\""));
    Path work = tmp.getRoot().toPath().resolve("work");
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream log = new PrintStream(buf, true, StandardCharsets.UTF_8);

    RunJob.Result first = RunJob.run(options(config, work), log);
    assertEquals(List.of("ingest/lfw", "embed/lfw", "verify/lfw"), first.ran());
    assertEquals(0.9, first.rows().get(0).accuracyFlip(), 1e-12); // what `verify` gives for small_lfw (README)
    var embedded = StageOutput.readManifest(work.resolve("embed/lfw")).getOutputsList();

    RunJob.Result again = RunJob.run(options(config, work), log);
    assertEquals(List.of(), again.ran());
    assertEquals(List.of("ingest/lfw", "embed/lfw", "verify/lfw"), again.skipped());
    assertThat(buf.toString(StandardCharsets.UTF_8), containsString("embed/lfw: inputs and parameters unchanged, skipped"));

    // A manifest edited by hand is detected; the stage rebuilds to the same bytes; nothing else reruns.
    Path manifest = work.resolve("embed/lfw").resolve(StageOutput.MANIFEST);
    Files.writeString(manifest, Files.readString(manifest).replace("\"written\"", "\"written\" "));
    RunJob.Result edited = RunJob.run(options(config, work), log);
    assertEquals(List.of("embed/lfw"), edited.ran());
    assertThat(buf.toString(StandardCharsets.UTF_8), containsString("edited or truncated"));
    assertEquals(embedded.stream().filter(d -> d.getPath().startsWith("part-")).toList(),
        StageOutput.readManifest(work.resolve("embed/lfw")).getOutputsList().stream().filter(d -> d.getPath().startsWith("part-")).toList());

    // Another preprocessing (a changed model setting) reruns embed and verify, not ingest.
    Files.writeString(config, config(dataset, "127.5", "\"lfw\""));
    assertEquals(List.of("embed/lfw", "verify/lfw"), RunJob.run(options(config, work), log).ran());

    // A new pack joins the work folder without touching the others; a missing one is listed.
    Files.copy(Fixtures.shared("bin/small_lfw.bin"), dataset.resolve("cfp_fp.bin"));
    Files.writeString(config, config(dataset, "127.5", "\"lfw\", \"cfp_fp\", \"agedb_30\""));
    RunJob.Result added = RunJob.run(options(config, work), log);
    assertEquals(List.of("ingest/cfp_fp", "embed/cfp_fp", "verify/cfp_fp"), added.ran());
    assertEquals(List.of("agedb_30"), added.missing());

    // --from=verify reruns verify everywhere from the persisted embeddings.
    RunOptions from = options(config, work);
    from.setFrom("verify");
    assertEquals(List.of("verify/lfw", "verify/cfp_fp"), RunJob.run(from, log).ran());
    String md = Files.readString(work.resolve("report.md"));
    assertThat(md, containsString("| model | LFW | CFP-FP | MegaFace rank-1 |"));
    assertThat(md, containsString("## Protocol decisions"));
    // small_lfw's pairs are all same-identity: the report says so instead of drawing a bare line.
    String html = Files.readString(work.resolve("report.html"));
    assertThat(html, containsString("<th>model</th><th>LFW</th><th>CFP-FP</th></tr>"));
    assertThat(html, containsString("<p class=\"note\">No ROC for fr_feature (the pack has no different-identity pairs)"));
    assertThat(Files.readString(work.resolve("verify/lfw/report.json")), containsString("\"roc\": null"));
  }

  @Test
  public void megafaceJoinsTheRunAndTheTable() throws Exception {
    System.setProperty("ai.djl.offline", "true");
    Path dataset = tmp.newFolder("dataset").toPath();
    Files.copy(Fixtures.shared("bin/small_lfw.bin"), dataset.resolve("lfw.bin"));
    // A small MegaFace-layout pack from ORL: 3 probe identities of 3 images, 12 distractors.
    Path pack = tmp.newFolder("mf").toPath();
    Fixtures.megafacePack(pack, 3, 3, 10, 21, 1);
    Path config = tmp.getRoot().toPath().resolve("run.json");
    Files.writeString(config, config(dataset, "127", "\"lfw\"").replace("}", ", \"megaface\": {\"pack\": \"" + pack + "\", \"sizes\": \"5,12\", \"far\": \"0.1\"}}"));
    Path work = tmp.getRoot().toPath().resolve("work");
    PrintStream log = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    RunJob.Result r = RunJob.run(options(config, work), log);
    assertEquals(List.of("ingest/lfw", "embed/lfw", "verify/lfw", "ingest/megaface", "embed/megaface", "megaface/megaface"), r.ran());
    String md = Files.readString(work.resolve("report.md"));
    String rank1 = Files.readString(work.resolve("megaface/megaface/report.json")).replaceAll("(?s).*\"size\": 12.*?\"rank1\": ([0-9.]+).*", "$1");
    assertThat(md, containsString(String.format(java.util.Locale.ROOT, "| %.2f |", 100 * Double.parseDouble(rank1))));
    // The report shows the CMC plot beside the ROC plots, and the file is there.
    assertThat(md, containsString("CMC `megaface/megaface/cmc.png`"));
    String html = Files.readString(work.resolve("report.html"));
    assertThat(html, containsString("src=\"figures/cmc-megaface.png\""));
    assertThat(html, containsString("src=\"figures/rank1-megaface.png\""));
    assertTrue(Files.size(work.resolve("figures/rank1-megaface.png")) > 1000);
    assertTrue(Files.size(work.resolve("figures/cmc-megaface.svg")) > 1000);
    assertTrue(Files.size(work.resolve("megaface/megaface/cmc.png")) > 1000);
    assertEquals(List.of(), RunJob.run(options(config, work), log).ran());
  }
}
