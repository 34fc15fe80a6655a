package dev.facebeam.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.facebeam.codec.image.ImageCodec;
import dev.facebeam.codec.image.RgbPixels;
import dev.facebeam.io.StageOutput;
import dev.facebeam.proto.StageManifest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class MainTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  private static Cli.Run run(String... args) {
    return Cli.run(args);
  }

  private static Path shared(String relative) {
    return Cli.shared(relative);
  }

  @Test
  public void helpListsCommandsAndOptions() {
    Cli.Run r = run("help");
    assertEquals(0, r.status());
    for (String s : new String[] {"ingest", "pack", "bench-decode", "--input", "--exportImages", "--pairs", "--flinkMaster"}) {
      assertThat(r.out(), containsString(s));
    }
    assertThat(run("help", "pack").out(), containsString("--protocol"));
  }

  @Test
  public void everyCommandsOptionsCoexistInOneJvm() {
    // Beam shares one proxy across options interfaces: a property's defaults must agree everywhere.
    for (Command c : Commands.all().values()) {
      org.apache.beam.sdk.options.PipelineOptionsFactory.register(c.options());
    }
    for (Command c : Commands.all().values()) {
      org.apache.beam.sdk.options.PipelineOptionsFactory.create().as(c.options());
    }
  }

  @Test
  public void mistakesOnTheCommandLineExitWithStatus2AndOneLine() {
    Cli.Run unknown = run("frobnicate");
    assertEquals(2, unknown.status());
    assertThat(unknown.err(), containsString("unknown command 'frobnicate'"));
    Cli.Run badOption = run("ingest", "--input=x", "--output=y", "--colour=blue");
    assertEquals(2, badOption.status());
    assertThat(badOption.err(), containsString("colour"));
    assertEquals(1, badOption.err().strip().lines().count());
    Cli.Run wrongCommand = run("ingest", "--input=x", "--output=y", "--pairs=p.txt");
    assertEquals(2, wrongCommand.status());
    assertThat(wrongCommand.err(), containsString("--pairs does not apply to 'ingest'"));
    Cli.Run inherited = run("ingest", "--input=x", "--output=y", "--batchSize=8");
    assertEquals(2, inherited.status());
    assertThat(inherited.err(), containsString("--batchSize does not apply to 'ingest'"));
    assertThat(run("help", "embed").out(), containsString("--batchSize"));
    assertThat(run("help", "evaluate").out(), containsString("--device"));
    Cli.Run missing = run("ingest", "--input=x");
    assertEquals(2, missing.status());
    assertThat(missing.err(), containsString("output"));
  }

  @Test
  public void aFailedRunExitsWith1NamingTheFileAndRecord() throws Exception {
    Path evil = tmp.getRoot().toPath().resolve("evil.bin");
    Files.write(evil, "\u0080\u0004\u008c\u0002os\u0094\u008c\u0006system\u0094\u0093\u0094.".getBytes(StandardCharsets.ISO_8859_1));
    Cli.Run r = run("ingest", "--input=" + evil, "--output=" + tmp.getRoot().toPath().resolve("out"), "--runner=DirectRunner");
    assertEquals(1, r.status());
    assertThat(r.err(), containsString("evil.bin@byte="));
    assertThat(r.err(), containsString("'os.system'"));
    assertEquals(1, r.err().strip().lines().count());
    Cli.Run missing = run("ingest", "--input=/no/such/pack.rec", "--output=" + tmp.getRoot().toPath().resolve("o2"));
    assertEquals(1, missing.status());
    assertThat(missing.err(), containsString("/no/such/pack.rec"));
  }

  @Test
  public void ingestRunsOnEmbeddedFlinkByDefaultAndExportsPngs() throws Exception {
    Path out = tmp.getRoot().toPath().resolve("adaface");
    Path png = tmp.getRoot().toPath().resolve("png");
    Cli.Run r = run("ingest", "--input=" + shared("rec/adaface/train.rec"), "--output=" + out, "--exportImages=" + png);
    assertEquals(r.err(), 0, r.status());
    assertThat(r.out(), containsString("read 8, written 8, rejected 0, identities 2"));
    StageManifest m = StageOutput.readManifest(out);
    assertEquals("FlinkRunner", m.getRunner());
    assertEquals(8, m.getWritten());
    try (Stream<Path> s = Files.list(png)) {
      assertEquals(8, s.filter(p -> p.toString().endsWith(".png")).count());
    }
    RgbPixels face = ImageCodec.decode(Files.readAllBytes(png.resolve("rec-000000004.png")));
    assertEquals(112, face.width());
    assertEquals(112, face.height());
    assertFalse(Files.exists(out.resolveSibling(".adaface.inprogress")));
  }

  @Test
  public void embedRunsOnEmbeddedFlinkAfterIngest() throws Exception {
    Path records = tmp.getRoot().toPath().resolve("lfw-records");
    Path embeddings = tmp.getRoot().toPath().resolve("lfw-embeddings");
    assertEquals(0, run("ingest", "--input=" + shared("rec/small_lfw/small_lfw_labelled.rec"), "--output=" + records).status());
    Cli.Run r = run("embed", "--records=" + records, "--model=" + shared("models/faceplugin/fr_feature.onnx"),
        "--output=" + embeddings, "--exportNpy=true", "--batchSize=8");
    assertEquals(r.err(), 0, r.status());
    assertThat(r.out(), containsString("embed rec with fr_feature (512-d, OnnxRuntime): read 20, written 20, rejected 0"));
    StageManifest m = StageOutput.readManifest(embeddings);
    assertEquals("FlinkRunner", m.getRunner());
    assertEquals(20, Files.readAllLines(embeddings.resolve("ids.txt")).size());
    Cli.Run noGpu = run("embed", "--records=" + records, "--model=" + shared("models/faceplugin/fr_feature.onnx"),
        "--output=" + tmp.getRoot().toPath().resolve("gpu"), "--device=gpu");
    assertEquals(1, noGpu.status());
    assertThat(noGpu.err(), containsString("sees no GPU"));
  }

  @Test
  public void evaluateRunsTheRealLfwPackOnEmbeddedFlink() throws Exception {
    Path dataset = tmp.newFolder("dataset").toPath();
    Files.copy(shared("bin/small_lfw.bin"), dataset.resolve("lfw.bin"));
    Path out = tmp.getRoot().toPath().resolve("evaluation");
    Cli.Run r = run("evaluate", "--dataset=" + dataset, "--model=" + shared("models/faceplugin/fr_feature.onnx"),
        "--output=" + out, "--mean=127", "--targets=lfw,cfp_fp");
    assertEquals(r.err(), 0, r.status());
    assertThat(r.out(), containsString("| fr_feature | 90.00 | – |"));
    assertThat(r.out(), containsString("missing targets (no <target>.bin): cfp_fp"));
    assertEquals("FlinkRunner", StageOutput.readManifest(out.resolve("lfw/embed")).getRunner());
    Cli.Run verify = run("verify", "--embeddings=" + out.resolve("lfw/embed"), "--output=" + tmp.getRoot().toPath().resolve("v"));
    assertEquals(verify.err(), 0, verify.status());
    assertThat(verify.out(), containsString("[lfw]Accuracy-Flip: 0.90000+-0.30000"));
  }

  @Test
  public void megafaceRunsOnEmbeddedFlink() throws Exception {
    Path root = tmp.newFolder("megaface-pack").toPath();
    StringBuilder fs = new StringBuilder();
    for (int s = 1; s <= 2; s++) {
      Path dir = Files.createDirectories(root.resolve("facescrub_images/P" + s));
      for (int i = 1; i <= 3; i++) {
        Files.copy(shared("orl/s" + s + "/" + i + ".pgm"), dir.resolve("P" + s + "_" + i + ".png"));
        fs.append("P").append(s).append("/P").append(s).append("_").append(i).append(".png\n");
      }
    }
    StringBuilder mf = new StringBuilder();
    Path dir = Files.createDirectories(root.resolve("megaface_images/1/a@N00"));
    for (int s = 10; s < 20; s++) {
      Files.copy(shared("orl/s" + s + "/1.pgm"), dir.resolve(s + "_0.jpg"));
      mf.append("1/a@N00/").append(s).append("_0.jpg\n");
    }
    Files.writeString(root.resolve("facescrub_lst"), fs.toString());
    Files.writeString(root.resolve("megaface_lst"), mf.toString());
    Path records = tmp.getRoot().toPath().resolve("mf-records");
    Path embeddings = tmp.getRoot().toPath().resolve("mf-embeddings");
    assertEquals(0, run("ingest", "--input=" + root, "--output=" + records).status());
    assertEquals(0, run("embed", "--records=" + records, "--model=" + shared("models/faceplugin/fr_feature.onnx"),
        "--output=" + embeddings, "--mean=127").status());
    Cli.Run r = run("megaface", "--probes=" + embeddings, "--distractors=" + embeddings,
        "--output=" + tmp.getRoot().toPath().resolve("mf-out"), "--sizes=5,10", "--far=0.1", "--topK=3");
    assertEquals(r.err(), 0, r.status());
    assertThat(r.out(), containsString("megaface: 6 probes of 2 identities"));
    assertThat(r.out(), containsString("size 10, 10 distractors scored: rank-1"));
    assertThat(r.out(), containsString("/12)"));
  }

  @Test
  public void packCommandWritesARecThatIngestReadsBack() throws Exception {
    Path rec = tmp.getRoot().toPath().resolve("lfw/lfw.rec");
    Files.createDirectories(rec.getParent());
    Cli.Run packed = run("pack", "--input=" + shared("rec/small_lfw/small_lfw_labelled.rec"), "--output=" + rec);
    assertEquals(packed.err(), 0, packed.status());
    assertThat(packed.out(), containsString("read 20 faces, rejected 0; wrote 20 images of 6 identities"));
    assertTrue(Files.exists(rec.resolveSibling("lfw.idx")));
    // Its own earlier output may be replaced (FILE.manifest.json lists it); the rerun gives the same bytes.
    byte[] first = Files.readAllBytes(rec);
    assertEquals(0, run("pack", "--input=" + shared("rec/small_lfw/small_lfw_labelled.rec"), "--output=" + rec).status());
    assertTrue(java.util.Arrays.equals(first, Files.readAllBytes(rec)));
    Cli.Run ingested = run("ingest", "--input=" + rec, "--output=" + tmp.getRoot().toPath().resolve("o"), "--runner=DirectRunner");
    assertEquals(ingested.err(), 0, ingested.status());
    assertThat(ingested.out(), containsString("read 20, written 20, rejected 0, identities 6"));
  }

  @Test
  public void packToABinSaysHowManyImagesAndPairsItWrote() throws Exception {
    Path pairs = Files.writeString(tmp.getRoot().toPath().resolve("pairs.txt"),
        "s1/1.pgm s1/2.pgm 1\ns1/1.pgm s2/1.pgm 0\ns2/1.pgm s2/2.pgm 1\n");
    Path bin = tmp.getRoot().toPath().resolve("orl3.bin");
    Cli.Run packed = run("pack", "--input=" + shared("orl"), "--output=" + bin, "--pairs=" + pairs);
    assertEquals(packed.err(), 0, packed.status());
    // 400 faces read, but the file holds 2 images per pair: the count printed is what was written.
    assertThat(packed.out(), containsString("read 400 faces, rejected 0; wrote 6 images in 3 pairs"));
    assertEquals(6, dev.facebeam.codec.pack.VerificationPack.read(bin).images().size());
  }

  @Test
  public void trainTakesConfigOverridesFromTheCommandLine() throws Exception {
    Path dataset = Cli.orlTrainingSet(tmp.getRoot().toPath(), 5);
    Path out = tmp.getRoot().toPath().resolve("train-out");
    Cli.Run r = run("train", "--config=" + Path.of("..", "configs", "ir-small-softmax-orl.json"), "--dataset=" + dataset,
        "--output=" + out, "--max_steps=2", "--per_batch_size=10", "--val_targets=", "--ckpt=2");
    assertEquals(r.err(), 0, r.status());
    assertThat(r.out(), containsString("train: 2 steps"));
    assertThat(Files.readString(out.resolve("config.json")), containsString("\"max_steps\": 2"));
    assertTrue(Files.isRegularFile(out.resolve("model-0001/model.json")));
    Cli.Run bad = run("train", "--config=" + Path.of("..", "configs", "ir-small-softmax-orl.json"), "--dataset=" + dataset,
        "--output=" + out, "--lr=fast");
    assertEquals(1, bad.status());
    assertThat(bad.err(), containsString("--lr"));
  }
}
