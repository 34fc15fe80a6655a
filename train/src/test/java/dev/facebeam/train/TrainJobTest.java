package dev.facebeam.train;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.facebeam.UserInputException;
import dev.facebeam.models.Networks;
import dev.facebeam.pipelines.pack.PackJob;
import dev.facebeam.pipelines.pack.PackOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A real training run on ORL: 30 people packed as train.rec, the other 10 as a held-out
 * verification pack of same and different pairs.
 */
public class TrainJobTest {
  @ClassRule public static TemporaryFolder tmp = new TemporaryFolder();
  static Path dataset;

  @BeforeClass
  public static void orlDataset() throws Exception {
    System.setProperty("ai.djl.offline", "true");
    Path orl = Path.of(System.getProperty("facebeam.sharedData", "../../shared/data")).resolve("orl");
    org.junit.Assume.assumeTrue("real fixtures not found at " + orl, Files.isDirectory(orl));
    Path train = tmp.newFolder("orl-train").toPath();
    for (int s = 1; s <= 30; s++) {
      Path d = Files.createDirectories(train.resolve(String.format("s%02d", s)));
      for (int i = 1; i <= 10; i++) {
        Files.copy(orl.resolve("s" + s + "/" + i + ".pgm"), d.resolve(i + ".pgm"));
      }
    }
    dataset = tmp.newFolder("dataset").toPath();
    PackOptions p = PipelineOptionsFactory.create().as(PackOptions.class);
    p.setInput(train.toString());
    p.setOutput(dataset.resolve("train.rec").toString());
    PackJob.run(p);
    // Held out: s31..s40; 50 same-person pairs and 50 different-person pairs, alternating.
    StringBuilder pairs = new StringBuilder();
    for (int k = 0; k < 50; k++) {
      int s = 31 + k % 10;
      int i = 1 + 2 * (k / 10);
      pairs.append("s").append(s).append('/').append(i).append(".pgm s").append(s).append('/').append(i + 1).append(".pgm 1\n");
      int t = 31 + (k % 10 + 1 + k / 10) % 10;
      pairs.append("s").append(s).append('/').append(i).append(".pgm s").append(t).append('/').append(10 - k / 10).append(".pgm 0\n");
    }
    Path pairsFile = tmp.getRoot().toPath().resolve("pairs.txt");
    Files.writeString(pairsFile, pairs.toString());
    PackOptions v = PipelineOptionsFactory.create().as(PackOptions.class);
    v.setInput(orl.toString());
    v.setOutput(dataset.resolve("orl.bin").toString());
    v.setPairs(pairsFile.toString());
    PackJob.run(v);
  }

  static Path config(String name, String json) throws Exception {
    return TrainConfigTest.write(tmp.getRoot().toPath(), name, json);
  }

  @Test
  public void trainsOnOrlThenCheckpointLoadsThenTripletFineTunes() throws Exception {
    Path out = tmp.getRoot().toPath().resolve("run-softmax");
    TrainConfig c = TrainConfig.load(config("ir-small-softmax-orl", """
        {"network": "ir-small", "loss": "softmax", "dataset": "orl", "emb_size": 64, "per_batch_size": 30,
         "lr": 0.1, "lr_steps": [50], "wd": 0.0005, "verbose": 20, "frequent": 5, "ckpt": 2, "ckpt_embedding": false,
         "max_steps": 60, "val_targets": ["orl", "lfw"], "seed": 7, "workers": 2}
        """), Map.of());
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    TrainJob.Result r = TrainJob.run(c, dataset, out, new PrintStream(log, true, StandardCharsets.UTF_8));
    String text = log.toString(StandardCharsets.UTF_8);
    System.out.println(text);
    assertEquals(60, r.steps());
    assertEquals(List.of("lfw"), r.missingTargets());
    List<MetricsLine> lines = MetricsLine.read(out.resolve(MetricsLine.FILE));
    List<Double> losses = lines.stream().filter(l -> l instanceof MetricsLine.Progress)
        .map(l -> ((MetricsLine.Progress) l).loss()).toList();
    assertEquals(12, losses.size());
    double first = (losses.get(0) + losses.get(1)) / 2;
    double last = (losses.get(10) + losses.get(11)) / 2;
    assertTrue("loss falls: " + losses, last < 0.6 * first);
    assertEquals(3, r.rounds().size());
    double heldOut = r.rounds().get(2).get(0).accuracyFlip();
    assertTrue("held-out accuracy " + heldOut, heldOut >= 0.7);
    assertThat(text, containsString("[orl][60]Accuracy-Flip: "));
    assertThat(text, containsString("[60]Accuracy-Highest: "));
    assertTrue(lines.stream().anyMatch(l -> l instanceof MetricsLine.Check k && k.step() == 60 && k.target().equals("orl")));
    // Each line is written by its type: reading a line back and writing it again gives its text.
    List<String> written = Files.readAllLines(out.resolve(MetricsLine.FILE));
    assertEquals(written, lines.stream().map(MetricsLine::toJson).toList());
    // Mode 2: one folder per round; the last one, loaded back, gives the accuracy logged for it.
    Path model = out.resolve("model-0003");
    assertEquals(model, r.model());
    assertTrue(Files.isRegularFile(model.resolve("model.json")));
    assertTrue(Files.isRegularFile(model.resolve(Checkpoints.FC7)));
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      TrainingNet fresh = new TrainingNet(Networks.create("ir-small", 64), c.head(), 30, 64, true);
      fresh.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32, new ai.djl.ndarray.types.Shape(1, 3, 112, 112),
          new ai.djl.ndarray.types.Shape(1));
      assertThat(Checkpoints.loadPretrained(model, fresh, m), containsString("fc7 loaded"));
      Verifier.Score again = Verifier.test(new Verifier(dataset, List.of("orl")).targets().get(0), fresh.embedding, m, Device.cpu(), 30);
      assertEquals(heldOut, again.accuracyFlip(), 0.0);
    }
    // embed loads the folder with no flags; a network of another shape is refused, naming the parameter.
    try (dev.facebeam.embed.FaceModel fm = dev.facebeam.embed.FaceModel.load(
        dev.facebeam.embed.ModelSpec.resolve(model, dev.facebeam.embed.ModelSpec.Overrides.NONE), Device.cpu())) {
      assertEquals(64, fm.embeddingSize());
    }
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      TrainingNet other = new TrainingNet(Networks.create("ir-small", 32), c.head(), 30, 32, true);
      other.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32, new ai.djl.ndarray.types.Shape(1, 3, 112, 112),
          new ai.djl.ndarray.types.Shape(1));
      UserInputException mismatch = assertThrows(UserInputException.class, () -> Checkpoints.loadPretrained(model, other, m));
      assertThat(mismatch.getMessage(), containsString("has shape (64, 6272) in the checkpoint but (32, 6272)"));
    }
    assertThat(text, containsString("network ir-small (emb 64): "));
    // Fine-tune that checkpoint with triplet loss (the seed's recipe), a few steps, as two replicas of
    // 15 (5 triplets each, laid out [anchors; positives; negatives] per replica as on two GPUs).
    TrainConfig t = TrainConfig.load(config("ir-small-triplet-orl", """
        {"network": "ir-small", "loss": "triplet", "dataset": "orl", "emb_size": 64, "per_batch_size": 15, "devices": "cpu,cpu", "lr": 0.005,
         "triplet_bag_size": 150, "images_per_identity": 5, "verbose": 0, "frequent": 1, "ckpt": 2, "max_steps": 3,
         "val_targets": ["orl"], "seed": 7}
        """), Map.of("pretrained", model.toString()));
    ByteArrayOutputStream ftLog = new ByteArrayOutputStream();
    TrainJob.Result ft = TrainJob.run(t, dataset, tmp.getRoot().toPath().resolve("run-triplet"), new PrintStream(ftLog, true, StandardCharsets.UTF_8));
    System.out.println(ftLog.toString(StandardCharsets.UTF_8));
    assertEquals(3, ft.steps());
    assertThat(ftLog.toString(StandardCharsets.UTF_8), containsString("batch 30 as 2 replica(s) on 1 device(s)"));
    assertTrue(Double.isFinite(ft.lastLoss()));
    assertThat(ft.pretrained(), containsString("parameters loaded"));
  }

  @Test
  public void aShardedClassifierTrainsAndItsCheckpointLoadsWhole() throws Exception {
    TrainConfig c = TrainConfig.load(config("ir-small-softmax-sharded", """
        {"network": "ir-small", "loss": "softmax", "emb_size": 16, "per_batch_size": 30, "lr": 0.1, "fc7_shards": 3,
         "verbose": 4, "frequent": 1, "ckpt": 2, "ckpt_embedding": false, "max_steps": 4, "val_targets": ["orl"], "seed": 7}
        """), Map.of());
    Path out = tmp.getRoot().toPath().resolve("run-sharded");
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    TrainJob.Result r = TrainJob.run(c, dataset, out, new PrintStream(log, true, StandardCharsets.UTF_8));
    assertEquals(4, r.steps());
    assertTrue(Double.isFinite(r.lastLoss()));
    assertThat(log.toString(StandardCharsets.UTF_8), containsString("classifier fc7: 3 shards (10, 10, 10 classes) on [cpu()]"));
    // The checkpoint holds one whole fc7 (30 × 16 and its bias): it loads into an unsharded net.
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      ai.djl.ndarray.NDList fc7 = ai.djl.ndarray.NDList.decode(m, Files.readAllBytes(r.model().resolve(Checkpoints.FC7)));
      assertEquals(new ai.djl.ndarray.types.Shape(30, 16), fc7.get(0).getShape());
      assertEquals(new ai.djl.ndarray.types.Shape(30), fc7.get(1).getShape());
      TrainingNet whole = new TrainingNet(Networks.create("ir-small", 16), c.head(), 30, 16, true);
      whole.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32, new ai.djl.ndarray.types.Shape(1, 3, 112, 112),
          new ai.djl.ndarray.types.Shape(1));
      assertThat(Checkpoints.loadPretrained(r.model(), whole, m), containsString("fc7 loaded"));
      org.junit.Assert.assertArrayEquals(fc7.get(0).toFloatArray(), whole.fc7Weight.getArray().toFloatArray(), 0f);
    }
    // More shards than classes is a clear error.
    TrainConfig tooMany = TrainConfig.load(config("too-many-shards", """
        {"network": "ir-small", "loss": "arcface", "emb_size": 16, "per_batch_size": 30, "fc7_shards": 31, "max_steps": 1,
         "val_targets": []}
        """), Map.of());
    assertThat(assertThrows(UserInputException.class, () -> TrainJob.run(tooMany, dataset, tmp.getRoot().toPath().resolve("run-31"),
        System.out)).getMessage(), containsString("31 shards for 30 classes"));
    // A triplet loss has no classifier: asking to shard one is an error, not silently ignored.
    TrainConfig triplet = TrainConfig.load(config("triplet-shards", """
        {"network": "ir-small", "loss": "triplet", "emb_size": 16, "per_batch_size": 30, "fc7_shards": 2, "max_steps": 1,
         "val_targets": []}
        """), Map.of());
    assertThat(assertThrows(UserInputException.class, () -> TrainJob.run(triplet, dataset, tmp.getRoot().toPath().resolve("run-t2"),
        System.out)).getMessage(), containsString("no classifier to cut into 2 shards"));
  }

  @Test
  public void partialFcTrainsAndItsCheckpointLoadsWhole() throws Exception {
    TrainConfig c = TrainConfig.load(config("ir-small-arcface-partial", """
        {"network": "ir-small", "loss": "arcface", "emb_size": 16, "per_batch_size": 30, "lr": 0.1, "sample_rate": 0.4,
         "fc7_shards": 2, "verbose": 0, "frequent": 1, "ckpt": 2, "ckpt_embedding": false, "max_steps": 3, "val_targets": [],
         "seed": 7}
        """), Map.of());
    Path out = tmp.getRoot().toPath().resolve("run-partial");
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    TrainJob.Result r = TrainJob.run(c, dataset, out, new PrintStream(log, true, StandardCharsets.UTF_8));
    assertEquals(3, r.steps());
    assertTrue(Double.isFinite(r.lastLoss()));
    assertThat(log.toString(StandardCharsets.UTF_8),
        containsString("2 shards (15, 15 classes) on [cpu()]; Partial FC (sample_rate 0.4): at least 6, 6 classes a step"));
    // The checkpoint holds the whole fc7, every row: it loads into a net that computes every class.
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      ai.djl.ndarray.NDList fc7 = ai.djl.ndarray.NDList.decode(m, Files.readAllBytes(r.model().resolve(Checkpoints.FC7)));
      assertEquals(new ai.djl.ndarray.types.Shape(30, 16), fc7.get(0).getShape());
      TrainingNet whole = new TrainingNet(Networks.create("ir-small", 16), c.head(), 30, 16, false);
      whole.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32, new ai.djl.ndarray.types.Shape(1, 3, 112, 112),
          new ai.djl.ndarray.types.Shape(1));
      assertThat(Checkpoints.loadPretrained(r.model(), whole, m), containsString("fc7 loaded"));
      org.junit.Assert.assertArrayEquals(fc7.get(0).toFloatArray(), whole.fc7Weight.getArray().toFloatArray(), 0f);
    }
    // sample_rate outside (0, 1], or with a triplet loss: errors naming the field.
    for (String bad : List.of("0", "-0.5", "1.5")) {
      UserInputException e = assertThrows(UserInputException.class, () -> TrainConfig.load(config("bad-rate", """
          {"network": "ir-small", "loss": "arcface", "emb_size": 16, "val_targets": []}
          """), Map.of("sample_rate", bad)));
      assertThat(e.getMessage(), containsString("sample_rate"));
    }
    TrainConfig triplet = TrainConfig.load(config("triplet-partial", """
        {"network": "ir-small", "loss": "triplet", "emb_size": 16, "per_batch_size": 30, "sample_rate": 0.5, "max_steps": 1,
         "val_targets": []}
        """), Map.of());
    assertThat(assertThrows(UserInputException.class, () -> TrainJob.run(triplet, dataset, tmp.getRoot().toPath().resolve("run-tp"),
        System.out)).getMessage(), containsString("sample_rate"));
  }

  @Test
  public void badDatasetsAreClearErrors() throws Exception {
    // No property file in a dataset folder.
    Path noProperty = tmp.newFolder("no-property").toPath();
    Files.copy(dataset.resolve("train.rec"), noProperty.resolve("train.rec"));
    Files.copy(dataset.resolve("train.idx"), noProperty.resolve("train.idx"));
    assertThat(assertThrows(UserInputException.class, () -> FaceData.open(noProperty, 0)).getMessage(), containsString("property"));
    // Labels beyond num_classes.
    assertThat(assertThrows(UserInputException.class, () -> FaceData.open(dataset, 20)).getMessage(), containsString("outside [0, num_classes = 20)"));
  }

  @Test
  public void lrProbeRecommendsARate() throws Exception {
    Path cfg = config("probe", """
        {"network": "ir-small", "loss": "softmax", "dataset": "orl", "emb_size": 64, "per_batch_size": 30,
         "val_targets": ["orl"], "seed": 7, "frequent": 4}
        """);
    Path out = tmp.getRoot().toPath().resolve("lr-probe");
    LrProbe.Result r = LrProbe.run(cfg, dataset, out, List.of(0.1, 1e-5), 8, Map.of(), System.out);
    assertEquals(2, r.curves().size());
    assertEquals(4, r.curves().get(0).accuracy().size());
    // The recommendation is the rate whose curve has the highest mean (ties: the higher last point).
    // (On ORL even 1e-5 rises, through BN's running statistics alone: the curves, not the rates, decide.)
    LrProbe.Curve best = r.curves().get(0);
    for (LrProbe.Curve c : r.curves()) {
      double mean = c.accuracy().stream().mapToDouble(Double::doubleValue).average().orElseThrow();
      double bestMean = best.accuracy().stream().mapToDouble(Double::doubleValue).average().orElseThrow();
      if (mean > bestMean) {
        best = c;
      }
    }
    assertEquals(Double.valueOf(best.lr()), r.recommended());
    assertThat(Files.readString(out.resolve("lr-probe.md")), containsString("Recommended: lr " + best.lr()));
    assertTrue(Files.size(out.resolve("lr-probe.png")) > 1000);
    // lr-probe.json reads back to the curves the run returned, and writes again to the same text.
    LrProbeReport json = LrProbeReport.read(out.resolve(LrProbeReport.FILE));
    assertEquals(r.curves(), json.runs());
    assertEquals(r.recommended(), json.recommended());
    assertEquals(Files.readString(out.resolve(LrProbeReport.FILE)), json.toJson());
  }

  @Test
  public void aDivergingRunStopsWithAClearMessage() throws Exception {
    TrainConfig c = TrainConfig.load(config("diverge", """
        {"network": "ir-small", "loss": "softmax", "emb_size": 16, "per_batch_size": 30, "lr": 1e12, "verbose": 0,
         "frequent": 1, "ckpt": 2, "max_steps": 20, "val_targets": [], "seed": 7}
        """), Map.of());
    Path out = tmp.getRoot().toPath().resolve("run-diverge");
    TrainJob.Diverged d = assertThrows(TrainJob.Diverged.class, () -> TrainJob.run(c, dataset, out, System.out));
    assertThat(d.getMessage(), containsString("training stopped"));
    assertTrue(Files.readString(out.resolve("metrics.jsonl")).contains("\"diverged\": true"));
    List<MetricsLine> lines = MetricsLine.read(out.resolve(MetricsLine.FILE));
    assertTrue(lines.get(lines.size() - 1) instanceof MetricsLine.Diverged);
  }

  /**
   * Issue 23: at --lr=1000000 the loss can stay finite while the embedding blows up, and the run
   * ended in an IllegalStateException from verification. Either way it is the same stop: the step
   * named, a diverged line in metrics.jsonl.
   */
  @Test
  public void aHugeRateStopsWithTheStepNamedWhicheverBreaksFirst() throws Exception {
    TrainConfig c = TrainConfig.load(config("huge-lr", """
        {"network": "ir-small", "loss": "softmax", "emb_size": 16, "per_batch_size": 30, "lr": 1000000, "verbose": 1,
         "frequent": 1, "ckpt": 0, "max_steps": 20, "val_targets": ["orl"], "seed": 7}
        """), Map.of());
    Path out = tmp.getRoot().toPath().resolve("run-huge-lr");
    TrainJob.Diverged d = assertThrows(TrainJob.Diverged.class, () -> TrainJob.run(c, dataset, out, System.out));
    assertThat(d.getMessage(), org.hamcrest.Matchers.matchesPattern(".* at step \\d+; training stopped before any checkpoint was written"));
    List<MetricsLine> lines = MetricsLine.read(out.resolve(MetricsLine.FILE));
    assertTrue(lines.get(lines.size() - 1) instanceof MetricsLine.Diverged);
  }
}
