package dev.facebeam.runners.bench;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import dev.facebeam.align.FacePreparation;
import dev.facebeam.codec.image.ImageCodec;
import dev.facebeam.embed.BlockRegistry;
import dev.facebeam.embed.FaceEmbedder;
import dev.facebeam.embed.FaceModel;
import dev.facebeam.embed.ModelSpec;
import dev.facebeam.embed.Preprocessing;
import dev.facebeam.proto.FaceRecord;
import dev.facebeam.proto.ModelDescriptor;
import dev.facebeam.proto.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Embedding throughput of facebeam's embedder (decode, preprocess, batch, forward, flip fusion) beside
 * the raw DJL forward loop over the same batches, for the real ONNX model and a MobileFaceNet-sized
 * DJL-native network; and resident memory over a long run.
 */
public final class EmbedBenchmark {
  private EmbedBenchmark() {}

  /** Options of {@code bench-embed}. */
  public interface Options extends PipelineOptions {
    @Description("Faces embedded with the DJL-native MobileFaceNet (each is 2 forward images with flip); 0 skips it")
    @Default.Integer(2000)
    int getNativeFaces();

    void setNativeFaces(int value);

    @Description("Faces embedded with the ONNX model (its graph fixes batch 1, so it is slower); 0 skips it")
    @Default.Integer(300)
    int getOnnxFaces();

    void setOnnxFaces(int value);

    @Description("Images per forward pass for the DJL-native network")
    @Default.Integer(32)
    int getNativeBatchSize();

    void setNativeBatchSize(int value);

    @Description("Also time the whole embed stage on embedded Flink over the same faces")
    @Default.Boolean(true)
    boolean getWithStage();

    void setWithStage(boolean value);

    @Description("Folder of the real fixtures (rec/, models/)")
    @Default.String("../shared/data")
    String getFixtures();

    void setFixtures(String value);

    @Description("The network whose trained and inference forms are timed on one batch: mobilefacenet (y1), r50, any of train's")
    @Default.String("mobilefacenet")
    String getFormsNetwork();

    void setFormsNetwork(String value);

    @Description("Images per forward pass for the forms timing (0: --nativeBatchSize)")
    @Default.Integer(0)
    int getFormsBatch();

    void setFormsBatch(int value);

    @Description("Forward passes per timed repetition of the forms timing (best of 3 repetitions)")
    @Default.Integer(8)
    int getFormsPasses();

    void setFormsPasses(int value);

    @Description("Instead of the timings: run the embed stage on embedded Flink over this many faces (y1, flip on) and"
        + " report resident memory along the way and its peak; 0 skips it")
    @Default.Integer(0)
    int getMemoryFaces();

    void setMemoryFaces(int value);

    @Description("Flip fusion in the memory run (off halves its time; memory is about the same)")
    @Default.Boolean(true)
    boolean getMemoryFlip();

    void setMemoryFlip(boolean value);

    @Description("Images per forward pass in the memory run (0: embed's default)")
    @Default.Integer(0)
    int getMemoryBatchSize();

    void setMemoryBatchSize(int value);
  }

  public static String run(Options o) throws Exception {
    Path fixtures = Path.of(o.getFixtures());
    List<FaceRecord> distinct = new ArrayList<>();
    int k = 0;
    for (byte[] jpeg : DecodeBenchmark.realJpegs(fixtures)) {
      distinct.add(FacePreparation.prepare(dev.facebeam.codec.pack.RawFaces.raw("f-" + k, "bench", k++, Role.TRAIN, jpeg).build()).record());
    }
    Path dir = Files.createTempDirectory("facebeam-bench-embed");
    // the random networks' TorchScript forms are cached by their SHA-256: keep them with the run, not in ~/.facebeam
    String cache = System.getProperty("facebeam.inferenceCache");
    System.setProperty("facebeam.inferenceCache", dir.resolve("inference-cache").toString());
    StringBuilder report = new StringBuilder(String.format("bench-embed: real 112x112 faces (%d distinct), %d cores, flip fusion on%n",
        distinct.size(), Runtime.getRuntime().availableProcessors()));
    try {
      if (o.getMemoryFaces() > 0) {
        // alone in a fresh JVM: nothing else has grown the allocators before
        stageMemory(report, dir, distinct, o.getMemoryFaces(), o.getMemoryFlip(), o.getMemoryBatchSize());
        return report.toString().stripTrailing();
      }
      if (o.getNativeFaces() > 0) {
        Path mfn = saveMobileFaceNet(dir.resolve("mobilefacenet"));
        compare(report, "MobileFaceNet (DJL-native, PyTorch, 128-d)", ModelSpec.resolve(mfn, ModelSpec.Overrides.NONE),
            faces(distinct, o.getNativeFaces()), o.getNativeBatchSize(), o.getWithStage() ? dir : null);
      }
      String network = o.getFormsNetwork();
      int embedding = network.equals("mobilefacenet") ? 128 : dev.facebeam.models.Networks.defaultEmbedding(network);
      Path formsModel = saveNative(dir.resolve("forms-" + network), network, embedding);
      report.append(String.format("  %s (DJL-native, PyTorch, %d-d), one batch of random images%n", network, embedding));
      forms(report, ModelSpec.resolve(formsModel, ModelSpec.Overrides.NONE), o.getFormsBatch() > 0 ? o.getFormsBatch() : o.getNativeBatchSize(),
          o.getFormsPasses());
      if (o.getOnnxFaces() > 0) {
        compare(report, "fr_feature.onnx (OnnxRuntime, 512-d, batch 1)",
            ModelSpec.resolve(fixtures.resolve("models/faceplugin/fr_feature.onnx"), ModelSpec.Overrides.NONE),
            faces(distinct, o.getOnnxFaces()), 64, o.getWithStage() ? dir : null);
      }
      return report.toString().stripTrailing();
    } finally {
      if (cache == null) {
        System.clearProperty("facebeam.inferenceCache");
      } else {
        System.setProperty("facebeam.inferenceCache", cache);
      }
      try (var s = Files.walk(dir)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static List<FaceRecord> faces(List<FaceRecord> distinct, int n) {
    List<FaceRecord> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(distinct.get(i % distinct.size()).toBuilder().setId(String.format("f-%09d", i)).build());
    }
    return out;
  }

  static Path saveMobileFaceNet(Path dir) throws Exception {
    return saveNative(dir, "mobilefacenet", 128);
  }

  /** A randomly initialised DJL-native model folder: parameters plus model.json naming the block. */
  static Path saveNative(Path dir, String block, int embeddingSize) throws Exception {
    Files.createDirectories(dir);
    Block net = BlockRegistry.create(block, embeddingSize);
    try (Model m = Model.newInstance(block, "PyTorch")) {
      m.setBlock(net);
      net.initialize(m.getNDManager(), DataType.FLOAT32, new Shape(1, 3, 112, 112));
      m.save(dir, block);
    }
    ModelSpec.writeDescriptor(dir.resolve(ModelSpec.DESCRIPTOR), ModelDescriptor.newBuilder()
        .setName(block).setEngine("PyTorch").setFile(block + "-0000.params").setBlock(block)
        .setEmbeddingSize(embeddingSize).setInputSize(112).setMean(127.5f).setScale(1 / 128f).setChannelOrder("RGB").build());
    return dir;
  }

  private static void compare(StringBuilder report, String name, ModelSpec spec, List<FaceRecord> faces, int batchSize,
      Path workDir) throws Exception {
    double raw;
    double stage;
    try (FaceModel model = FaceModel.load(spec, Device.cpu())) {
      int feed = model.fixedBatch() > 0 ? model.fixedBatch() : batchSize;
      // The raw loop: the same batches, preprocessed beforehand, straight through the predictor.
      Preprocessing pre = spec.preprocessing();
      int images = faces.size() * 2;
      List<float[]> batches = new ArrayList<>();
      for (int start = 0; start < images; start += feed) {
        float[] b = new float[feed * pre.length()];
        for (int i = 0; i < Math.min(feed, images - start); i++) {
          int image = start + i;
          FaceRecord f = faces.get(image / 2);
          pre.write(ImageCodec.decode(f.getEncoded().getData().toByteArray()), image % 2 == 1, b, i * pre.length());
        }
        batches.add(b);
      }
      try (Predictor<NDList, NDList> p = model.newPredictor(); FaceEmbedder embedder = new FaceEmbedder(model, batchSize, true, false)) {
        model.forward(p, batches.get(0), feed); // warm-up at the batch shape
        embedder.embed(faces.subList(0, Math.min(faces.size(), feed)), e -> { }, (f, why) -> { });
        raw = 0;
        stage = 0;
        for (int rep = 0; rep < 3; rep++) {
          long t0 = System.nanoTime();
          for (float[] b : batches) {
            model.forward(p, b, feed);
          }
          raw = Math.max(raw, images / ((System.nanoTime() - t0) / 1e9));
          int[] count = new int[1];
          t0 = System.nanoTime();
          for (int start = 0; start < faces.size(); start += Math.max(1, batchSize / 2)) {
            embedder.embed(faces.subList(start, Math.min(faces.size(), start + Math.max(1, batchSize / 2))), e -> count[0]++, (f, why) -> { });
          }
          stage = Math.max(stage, 2.0 * count[0] / ((System.nanoTime() - t0) / 1e9));
        }
      }
      report.append(String.format("  %s, %d faces, feed %d%n", name, faces.size(), feed));
      report.append(String.format("    raw DJL forward loop (preprocessed batches)   %8.1f images/s  (1.00x)%n", raw));
      report.append(String.format("    facebeam embedder (decode, preprocess, fuse)  %8.1f images/s  (%.2fx)%n", stage, stage / raw));
    }
    if (workDir != null) {
      // The whole embed stage on embedded Flink (every core): the rate between a run over a quarter of
      // the faces and a run over all of them, so the stage's fixed start-up (Flink, model load, the
      // TorchScript interpreter's first runs) cancels out.
      Path records = workDir.resolve(spec.name() + "-records");
      Path quarter = workDir.resolve(spec.name() + "-quarter");
      writeStage(records, faces);
      int q = Math.max(1, faces.size() / 4);
      writeStage(quarter, faces.subList(0, q));
      dev.facebeam.pipelines.embed.EmbedPipeline.Result[] last = new dev.facebeam.pipelines.embed.EmbedPipeline.Result[1];
      double small = timeEmbed(quarter, spec, workDir.resolve(spec.name() + "-quarter-out"), batchSize, last);
      double full = timeEmbed(records, spec, workDir.resolve(spec.name() + "-out"), batchSize, last);
      double net = (faces.size() - q) * 2 / Math.max(1e-9, full - small);
      report.append(String.format("    embed stage on embedded Flink, %s slots x %s threads (%d vs %d faces: %.1f s vs %.1f s) %6.1f images/s  (%.2fx)%n",
          last[0].manifest().getParametersOrThrow("slots"), last[0].manifest().getParametersOrThrow("threads_per_slot"),
          faces.size(), q, full, small, net, net / raw));
    }
  }

  /**
   * The raw forward loop of the trained form (BatchNorm as saved) against the inference form embed
   * runs (BatchNorm folded; docs/export.md): the same random batches, interleaved, best of three.
   */
  private static void forms(StringBuilder report, ModelSpec spec, int batch, int passes) {
    try (FaceModel trained = FaceModel.load(spec, Device.cpu(), false); FaceModel folded = FaceModel.load(spec, Device.cpu(), true);
         Predictor<NDList, NDList> pt = trained.newPredictor(); Predictor<NDList, NDList> pf = folded.newPredictor()) {
      java.util.Random rnd = new java.util.Random(1);
      float[] x = new float[batch * spec.preprocessing().length()];
      for (int i = 0; i < x.length; i++) {
        x[i] = rnd.nextFloat() * 2 - 1;
      }
      double[] best = new double[2];
      trained.forward(pt, x, batch);
      folded.forward(pf, x, batch);
      for (int rep = 0; rep < 3; rep++) {
        for (int f = 0; f < 2; f++) {
          long t0 = System.nanoTime();
          for (int i = 0; i < passes; i++) {
            (f == 0 ? trained : folded).forward(f == 0 ? pt : pf, x, batch);
          }
          best[f] = Math.max(best[f], passes * batch / ((System.nanoTime() - t0) / 1e9));
        }
      }
      report.append(String.format("    raw loop, trained form (BatchNorm as saved), batch %d   %8.1f images/s  (1.00x)%n", batch, best[0]));
      report.append(String.format("    raw loop, inference form (embed's default), batch %d   %8.1f images/s  (%.2fx)%n", batch, best[1], best[1] / best[0]));
      report.append("      the inference form: " + folded.form() + "\n");
    }
  }

  /** An ingest-like stage output holding these faces, so the embed stage can read it. */
  private static void writeStage(Path dir, List<FaceRecord> faces) throws Exception {
    Files.createDirectories(dir);
    dev.facebeam.io.StageFiles.writeFramed(dir.resolve(dev.facebeam.io.StageFiles.shardName(0, 1)), faces);
    Files.writeString(dir.resolve(dev.facebeam.io.StageOutput.MANIFEST), dev.facebeam.io.StageOutput.toJson(
        dev.facebeam.proto.StageManifest.newBuilder().setStage("ingest").setFormat("bench").setRead(faces.size())
            .setWritten(faces.size()).addShards(dev.facebeam.io.StageFiles.shardName(0, 1)).build()));
  }

  private static double timeEmbed(Path records, ModelSpec spec, Path out, int batchSize, dev.facebeam.pipelines.embed.EmbedPipeline.Result[] result) {
    dev.facebeam.pipelines.embed.EmbedOptions o = org.apache.beam.sdk.options.PipelineOptionsFactory.fromArgs(
        "--runner=FlinkRunner", "--flinkMaster=[local]", "--parallelism=" + Runtime.getRuntime().availableProcessors(),
        "--fasterCopy=true").as(dev.facebeam.pipelines.embed.EmbedOptions.class);
    o.setRecords(records.toString());
    o.setModel(spec.modelPath().endsWith(".params") ? Path.of(spec.modelPath()).getParent().toString() : spec.modelPath());
    o.setOutput(out.toString());
    o.setBatchSize(batchSize);
    o.setMean(spec.preprocessing().mean());
    o.setScale(spec.preprocessing().scale());
    long t0 = System.nanoTime();
    result[0] = dev.facebeam.pipelines.embed.EmbedPipeline.run(o);
    return (System.nanoTime() - t0) / 1e9;
  }

  /**
   * The embed stage as a user runs it (embedded Flink, every core, y1 in its inference form) over
   * {@code total} faces streamed from disk, with resident memory sampled every second: printed at
   * each tenth of the run and its peak (the kernel's VmHWM), beside the model file's size.
   */
  private static void stageMemory(StringBuilder report, Path dir, List<FaceRecord> distinct, int total, boolean flip, int batchSize)
      throws Exception {
    Path model = saveNative(dir.resolve("memory-y1"), "mobilefacenet", 128);
    long modelMb = Files.size(model.resolve("mobilefacenet-0000.params")) >> 20;
    // Sharded as ingest shards its output (its default records per shard, by the same id hash), so the
    // stage reads what a user's embed reads.
    Path records = dir.resolve("memory-records");
    Files.createDirectories(records);
    int shards = dev.facebeam.transforms.WriteShards.shardsFor(total, dev.facebeam.pipelines.ingest.IngestOptions.RECORDS_PER_SHARD);
    dev.facebeam.proto.StageManifest.Builder manifest = dev.facebeam.proto.StageManifest.newBuilder().setStage("ingest")
        .setFormat("bench").setRead(total).setWritten(total);
    for (int shard = 0; shard < shards; shard++) {
      int s = shard;
      Iterable<FaceRecord> stream = () -> java.util.stream.IntStream.range(0, total)
          .filter(i -> dev.facebeam.transforms.WriteShards.shardOf(faceId(i), shards) == s)
          .mapToObj(i -> distinct.get(i % distinct.size()).toBuilder().setId(faceId(i)).build()).iterator();
      String name = dev.facebeam.io.StageFiles.shardName(shard, shards);
      dev.facebeam.io.StageFiles.writeFramed(records.resolve(name), stream);
      manifest.addShards(name);
    }
    Files.writeString(records.resolve(dev.facebeam.io.StageOutput.MANIFEST), dev.facebeam.io.StageOutput.toJson(manifest.build()));
    // Writing the input made garbage: give it back, then count the peak from the stage's start only.
    System.gc();
    boolean reset = resetPeak();
    long before = rssMb();
    long t0 = System.nanoTime();
    RunSampler sampler = RunSampler.start(null, 1000);
    dev.facebeam.pipelines.embed.EmbedOptions e = org.apache.beam.sdk.options.PipelineOptionsFactory.fromArgs(
        "--runner=FlinkRunner", "--flinkMaster=[local]", "--parallelism=" + Runtime.getRuntime().availableProcessors(),
        "--fasterCopy=true").as(dev.facebeam.pipelines.embed.EmbedOptions.class);
    e.setRecords(records.toString());
    e.setModel(model.toString());
    e.setOutput(dir.resolve("memory-out").toString());
    e.setFlip(flip);
    if (batchSize > 0) {
      e.setBatchSize(batchSize);
    }
    dev.facebeam.pipelines.embed.EmbedPipeline.Result result = dev.facebeam.pipelines.embed.EmbedPipeline.run(e);
    double seconds = (System.nanoTime() - t0) / 1e9;
    sampler.close();
    report.append(String.format("  resident memory of the embed stage on embedded Flink: y1 (model file %d MB), %d faces, flip %s,"
        + " %d shards, batch %d, %d written, %.0f s (%.1f images/s), threads per slot %s%n",
        modelMb, total, flip ? "on" : "off", shards, e.getBatchSize(),
        result.manifest().getWritten(), seconds, total * (flip ? 2 : 1) / seconds, result.manifest().getParametersOrThrow("threads_per_slot")));
    report.append(String.format("    before the stage: RSS %d MB; max heap %d MB%n", before, Runtime.getRuntime().maxMemory() >> 20));
    report.append(sampler.tenths(seconds, "    "));
    long peak = statusMb("VmHWM:");
    report.append(String.format("    peak RSS %s (VmHWM) %d MB = model %d MB + %d MB%n", reset ? "of the stage" : "of the process",
        peak, modelMb, peak - modelMb));
  }

  private static String faceId(int i) {
    return String.format("f-%09d", i);
  }

  /** Resets the kernel's peak-RSS mark of this process (Linux: 5 to clear_refs); false where that is not possible. */
  static boolean resetPeak() {
    try {
      Files.writeString(Path.of("/proc/self/clear_refs"), "5");
      return true;
    } catch (java.io.IOException | RuntimeException e) {
      return false;
    }
  }

  static long rssMb() {
    return statusMb("VmRSS:");
  }

  /** A memory figure of this process from /proc/self/status, in MB (-1 where there is none). */
  static long statusMb(String key) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(key)) {
          return Long.parseLong(line.replaceAll("\\D+", "")) / 1024;
        }
      }
    } catch (java.io.IOException e) {
      // not Linux
    }
    return -1;
  }
}
