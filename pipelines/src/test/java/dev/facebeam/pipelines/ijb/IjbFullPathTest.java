package dev.facebeam.pipelines.ijb;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.facebeam.io.StageOutput;
import dev.facebeam.pipelines.Fixtures;
import dev.facebeam.pipelines.embed.EmbedPipeline;
import dev.facebeam.pipelines.embed.ModelParams;
import dev.facebeam.pipelines.evaluate.EvaluateJob;
import dev.facebeam.pipelines.evaluate.EvaluateOptions;
import dev.facebeam.pipelines.ingest.IngestPipeline;
import dev.facebeam.pipelines.run.RunJob;
import dev.facebeam.pipelines.run.RunOptions;
import dev.facebeam.pipelines.stage.StageLayout;
import dev.facebeam.proto.FaceRecord;
import dev.facebeam.proto.StageManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The whole IJB path on a testsuite made of the ORL faces in the real layout: ingest of the loose
 * crops with their landmarks → embed with the real ONNX model → ijb from the embed output.
 */
public class IjbFullPathTest {
  @ClassRule public static TemporaryFolder tmp = new TemporaryFolder();

  /**
   * 40 subjects, two templates each: A = images 1–5 (4 and 5 one video media), B = images 6–10;
   * A in the galleries (subjects 1–20 in G1, 21–40 in G2), B the probes; pairs A_s–B_s genuine,
   * A_s–B_t impostor for the 10 next subjects. One listed face has no image file.
   */
  static synchronized Path orlTestsuite() throws Exception {
    Path root = tmp.getRoot().toPath().resolve("IJBC");
    if (Files.isDirectory(root)) {
      return root; // built by the other test of this class
    }
    Files.createDirectories(root.resolve("meta"));
    List<String> scores = new ArrayList<>();
    List<String> tidMid = new ArrayList<>();
    List<String> g1 = new ArrayList<>(List.of("TEMPLATE_ID,SUBJECT_ID,FILENAME"));
    List<String> g2 = new ArrayList<>(List.of("TEMPLATE_ID,SUBJECT_ID,FILENAME"));
    List<String> probes = new ArrayList<>(List.of("TEMPLATE_ID,SUBJECT_ID,FILENAME"));
    int media = 100;
    for (int s = 1; s <= 40; s++) {
      Path folder = Files.createDirectories(root.resolve("loose_crop/s" + s));
      for (int i = 1; i <= 10; i++) {
        Files.copy(Fixtures.shared("orl/s" + s + "/" + i + ".pgm"), folder.resolve(i + ".pgm"));
        String name = "s" + s + "/" + i + ".pgm";
        // ORL faces are roughly centred in 92x112: eyes, nose, mouth corners.
        scores.add(name + " 31 48 61 48 46 66 34 84 58 84 " + (0.5 + 0.05 * i));
        int template = i <= 5 ? 2 * s : 2 * s + 1;
        tidMid.add(name + " " + template + " " + (i == 5 ? media - 1 : media++));
        (i <= 5 ? (s <= 20 ? g1 : g2) : probes).add(template + "," + s + "," + name);
      }
    }
    scores.add("s1/missing.pgm 31 48 61 48 46 66 34 84 58 84 0.9");
    tidMid.add("s1/missing.pgm 2 9999");
    List<String> pairs = new ArrayList<>();
    for (int s = 1; s <= 40; s++) {
      pairs.add(2 * s + " " + (2 * s + 1) + " 1");
      for (int k = 1; k <= 10; k++) {
        int t = (s + k - 1) % 40 + 1;
        pairs.add(2 * s + " " + (2 * t + 1) + " 0");
      }
    }
    Files.write(root.resolve("meta/ijbc_name_5pts_score.txt"), scores);
    Files.write(root.resolve("meta/ijbc_face_tid_mid.txt"), tidMid);
    Files.write(root.resolve("meta/ijbc_template_pair_label.txt"), pairs);
    Files.write(root.resolve("meta/ijbc_1N_gallery_G1.csv"), g1);
    Files.write(root.resolve("meta/ijbc_1N_gallery_G2.csv"), g2);
    Files.write(root.resolve("meta/ijbc_1N_probe_mixed.csv"), probes);
    return root;
  }

  @Test
  public void ingestEmbedAndIjbFromLooseCrops() throws Exception {
    Path root = orlTestsuite();
    Path work = tmp.getRoot().toPath();
    var runner = PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create();
    IngestPipeline.Result in = IngestPipeline.run(IngestPipeline.params(root, "auto", work.resolve("ingest")), runner);
    StageManifest m = in.manifest();
    assertEquals("ijb", m.getFormat());
    assertEquals(401, m.getRead());
    assertEquals(400, m.getWritten());
    assertEquals(1, m.getRejected());
    assertThat(Files.readString(work.resolve("ingest").resolve(StageLayout.REJECTS)), containsString("missing.pgm"));
    FaceRecord first = Fixtures.records(work.resolve("ingest")).stream().filter(r -> r.getIndex() == 13).findFirst().orElseThrow();
    assertEquals("s2/4.pgm", first.getRelativePath());
    assertEquals(4, first.getTemplateId());
    assertEquals(0.7f, first.getFaceness(), 0f);
    assertEquals(112, first.getWidth());

    ModelParams model = new ModelParams("auto", true, 64, "cpu", 127f, null, null, null);
    EmbedPipeline.run(EmbedPipeline.params(work.resolve("ingest"), Fixtures.shared("models/faceplugin/fr_feature.onnx"),
        model, work.resolve("embed")), runner);

    IjbReport r = IjbJob.run(IjbParams.ofEmbedded(root, work.resolve("embed"), work.resolve("ijb"),
        dev.facebeam.ijb.IjbMode.parse("--mode", IjbOptions.MODE), null), runner);
    assertEquals("IJBC", r.target());
    assertEquals("fr_feature", r.method());
    assertEquals(401, r.faces());
    assertEquals(1, r.facesWithoutFeatures());
    assertEquals(80, r.templates());
    assertEquals(440, r.pairs());
    assertEquals(40, r.genuine());
    // A real face model on ORL: at FAR 0.1 (40 of 400 impostors) nearly every genuine template pair passes,
    // and the gallery template of the probe's subject comes first for nearly every probe.
    double tar = r.oneToOne().tarAtFar().get("0.1");
    assertTrue("TAR@FAR=0.1 " + tar, tar >= 0.9);
    assertTrue("top-1 " + r.oneToN().top1(), r.oneToN().top1() >= 0.9);
    assertEquals(40, r.oneToN().probes());
    assertEquals(40, r.oneToN().gallery());
    assertThat(Files.readString(work.resolve("ijb/report.md")), containsString("(1 without features: rejected"));
    assertEquals("ijb", StageOutput.readManifest(work.resolve("ijb")).getStage());
    System.out.println(Files.readString(work.resolve("ijb/report.md")));
  }

  @Test
  public void runStagesIjbBesideVerificationAndSkipsItWhenUnchanged() throws Exception {
    Path root = orlTestsuite();
    Path config = tmp.getRoot().toPath().resolve("run-ijb.json");
    Files.writeString(config, "{\"dataset\": \"" + Fixtures.shared("bin") + "\", \"targets\": [\"small_lfw\"], \"model\": \""
        + Fixtures.shared("models/faceplugin/fr_feature.onnx") + "\", \"mean\": 127, \"ijb\": {\"root\": \"" + root + "\"}}");
    Path work = tmp.getRoot().toPath().resolve("run-work");
    RunOptions o = PipelineOptionsFactory.fromArgs("--runner=DirectRunner").as(RunOptions.class);
    o.setConfig(config.toString());
    o.setWorkdir(work.toString());
    RunJob.Result first = RunJob.run(o, System.out);
    assertTrue(first.ran().toString(), first.ran().containsAll(java.util.List.of("ingest/ijbc", "embed/ijbc", "ijb/ijbc")));
    String md = Files.readString(work.resolve("report.md"));
    assertThat(md, containsString("| model | small_lfw | MegaFace rank-1 | IJB-C TAR@FAR=1e-4 |"));
    assertThat(md, containsString("| fr_feature | 90.00 | – | 100.00 |"));
    assertThat(Files.readString(work.resolve("report.html")), containsString("src=\"figures/roc-ijbc.png\""));
    RunJob.Result again = RunJob.run(o, System.out);
    assertTrue(again.ran().toString(), again.ran().isEmpty());
    assertTrue(again.skipped().contains("ijb/ijbc"));
    // A mode the config gets wrong is an error naming the field, before any stage runs.
    Files.writeString(config, Files.readString(config).replace("\"root\"", "\"mode\": \"N3\", \"root\""));
    assertThat(org.junit.Assert.assertThrows(dev.facebeam.UserInputException.class, () -> RunJob.run(o, System.out)).getMessage(),
        containsString("ijb.mode"));
  }

  @Test
  public void evaluateAddsAnIjbColumnToTheResultsTable() throws Exception {
    Path root = orlTestsuite();
    EvaluateOptions o = PipelineOptionsFactory.fromArgs("--runner=DirectRunner").as(EvaluateOptions.class);
    o.setDataset(Fixtures.shared("bin").toString());
    o.setModel(Fixtures.shared("models/faceplugin/fr_feature.onnx").toString());
    o.setMean(127f);
    o.setTargets("small_lfw");
    o.setIjb(root.toString());
    Path out = tmp.getRoot().toPath().resolve("evaluate");
    o.setOutput(out.toString());
    EvaluateJob.Result r = EvaluateJob.run(o);
    assertEquals(1.0, r.accuracyFlip().get("ijbc"), 0.0);
    String table = Files.readString(out.resolve("results.md"));
    assertThat(table, containsString("| model | small_lfw | IJB-C TAR@1e-4 |"));
    assertThat(table, containsString("| fr_feature | 90.00 | 100.00 |"));
    assertTrue(Files.isRegularFile(out.resolve("ijbc/ijb/roc.png")));
  }
}
