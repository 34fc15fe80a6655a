package dev.facebeam.pipelines;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;

import dev.facebeam.io.StageOutput;
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
    assertThat(Files.readString(work.resolve("report.html")), containsString("<img alt=\"ROC\" width=\"480\" src=\"verify/lfw/roc.png\">"));
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
    assertEquals(List.of(), RunJob.run(options(config, work), log).ran());
  }
}
