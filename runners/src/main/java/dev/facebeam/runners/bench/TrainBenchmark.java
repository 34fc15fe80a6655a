package dev.facebeam.runners.bench;

import dev.facebeam.codec.recordio.IrHeader;
import dev.facebeam.codec.recordio.RecordIoDataset;
import dev.facebeam.codec.recordio.RecordIoWriter;
import dev.facebeam.models.TorchCpuAllocator;
import dev.facebeam.pipelines.pack.PackJob;
import dev.facebeam.pipelines.pack.PackOptions;
import dev.facebeam.train.MetricsLine;
import dev.facebeam.train.TrainConfig;
import dev.facebeam.train.TrainJob;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * Training throughput: the real ORL faces packed as a RecordIO dataset (JPEG records, decoded every
 * step), each network trained with softmax at a fixed batch; samples/s over the steps after the
 * first two, and the share of the run the step spent waiting for decoded batches.
 */
public final class TrainBenchmark {
  private TrainBenchmark() {}

  /** Options of {@code bench-train}. */
  public interface Options extends PipelineOptions {
    @Description("Networks to time, comma-separated")
    @Default.String("y1,r50")
    String getNetworks();

    void setNetworks(String value);

    @Description("Batch size")
    @Default.Integer(32)
    int getBenchBatch();

    void setBenchBatch(int value);

    @Description("Timed steps per network (after two warm-up steps)")
    @Default.Integer(6)
    int getBenchSteps();

    void setBenchSteps(int value);

    @Description("Decoding threads")
    @Default.Integer(2)
    int getBenchWorkers();

    void setBenchWorkers(int value);

    @Description("Classes of a large-class run (0: ORL's 40): a .rec of the fixtures' real 112x112 faces, their labels"
        + " spread evenly over [0, classes), the dataset's property saying this many classes")
    @Default.Integer(0)
    int getClasses();

    void setClasses(int value);

    @Description("Images in the large-class run's .rec")
    @Default.Integer(2000)
    int getImages();

    void setImages(int value);

    @Description("Partial FC sample rates to run, comma-separated (1: the full classifier)")
    @Default.String("1")
    String getSampleRates();

    void setSampleRates(String value);

    @Description("Loss of every run")
    @Default.String("softmax")
    String getLoss();

    void setLoss(String value);

    @Description("A new file to write libtorch's profiler trace of the runs into (Chrome trace JSON; with more than one run,"
        + " one file per run: FILE-NETWORK-RATE.json); empty: none. Profiling slows the runs")
    @Default.String("")
    String getProfile();

    void setProfile(String value);

    @Description("Folder of shared fixtures (../shared/data)")
    @Default.String("../shared/data")
    String getFixtures();

    void setFixtures(String value);
  }

  public static String run(Options o) throws Exception {
    Path dir = Files.createTempDirectory("facebeam-bench-train");
    boolean large = o.getClasses() > 0;
    StringBuilder report = new StringBuilder(String.format(Locale.ROOT, "bench-train: %s, loss %s, batch %d, %d decoding threads, %d cores%n",
        large ? String.format(Locale.ROOT, "%,d real-face JPEG records, labels spread evenly over %,d classes", o.getImages(), o.getClasses())
            : "ORL (400 JPEG records, 40 classes)", o.getLoss(), o.getBenchBatch(), o.getBenchWorkers(), Runtime.getRuntime().availableProcessors()));
    report.append("  libtorch's CPU memory: ").append(TrainJob.cpuMemory()).append('\n');
    try {
      Path dataset = Files.createDirectories(dir.resolve("dataset"));
      if (large) {
        writeSpread(dataset, DecodeBenchmark.realJpegs(Path.of(o.getFixtures())), o.getImages(), o.getClasses());
      } else {
        PackOptions p = PipelineOptionsFactory.create().as(PackOptions.class);
        p.setInput(Path.of(o.getFixtures(), "orl").toString());
        p.setOutput(dataset.resolve("train.rec").toString());
        PackJob.run(p);
      }
      Path cfg = dir.resolve("bench.json");
      for (String net : dev.facebeam.config.Options.list(o.getNetworks())) {
        for (String rate : dev.facebeam.config.Options.list(o.getSampleRates())) {
          Files.writeString(cfg, "{\"network\": \"" + net.strip() + "\", \"loss\": \"" + o.getLoss() + "\", \"val_targets\": []}");
          int steps = o.getBenchSteps() + 2;
          TrainConfig c = TrainConfig.load(cfg, Map.of("per_batch_size", Integer.toString(o.getBenchBatch()), "max_steps",
              Integer.toString(steps), "frequent", "1", "verbose", "0", "ckpt", "0", "workers", Integer.toString(o.getBenchWorkers()),
              "sample_rate", rate.strip()));
          Path out = dir.resolve("out-" + net.strip() + "-" + rate.strip());
          System.gc();
          boolean reset = EmbedBenchmark.resetPeak();
          TrainJob.Result r;
          String rss;
          String trace = o.getProfile().isEmpty() ? null : o.getProfile().replaceAll("\\.json$", "") + "-" + net.strip() + "-" + rate.strip() + ".json";
          try (RunSampler sampler = RunSampler.start(null, 200)) {
            long t0 = System.nanoTime();
            if (trace != null) {
              ai.djl.engine.Engine.getEngine("PyTorch"); // loads libtorch
              ai.djl.pytorch.jni.JniUtils.startProfile(false, true, true); // shapes and memory per op
            }
            try {
              r = TrainJob.run(c, dataset, out, new PrintStream(OutputStream.nullOutputStream()));
            } finally {
              if (trace != null) {
                ai.djl.pytorch.jni.JniUtils.stopProfile(trace);
                report.append("  profiler trace: ").append(trace).append('\n');
              }
            }
            rss = sampler.tenthsLine((System.nanoTime() - t0) / 1e9);
          } catch (OutOfMemoryError e) {
            report.append(String.format(Locale.ROOT, "  %-6s r=%-5s out of memory: %s%n", net.strip(), rate.strip(), e.getMessage()));
            continue;
          }
          List<MetricsLine> lines = MetricsLine.read(out.resolve(MetricsLine.FILE));
          double sum = 0;
          int n = 0;
          double first = Double.NaN;
          double last = Double.NaN;
          for (MetricsLine l : lines) {
            if (l instanceof MetricsLine.Progress progress) {
              first = Double.isNaN(first) ? progress.loss() : first;
              last = progress.loss();
              if (progress.step() > 2) { // the first two steps warm up
                sum += 1 / progress.samplesPerSec();
                n++;
              }
            }
          }
          double samples = n / sum; // harmonic mean: samples over time
          report.append(String.format(Locale.ROOT, "  %-6s r=%-5s %7.1f samples/s (%.2f s per step); loss %.3f -> %.3f over %d steps;"
                  + " waiting for data %.1f%% of the run; peak RSS %s %,d MB%n",
              net.strip(), rate.strip(), samples, o.getBenchBatch() / samples, first, last, r.steps(), 100 * r.secondsWaitingForData() / r.seconds(),
              reset ? "of the run" : "of the process", EmbedBenchmark.statusMb("VmHWM:")));
          report.append("    ").append(rss).append('\n');
          TorchCpuAllocator.Counters a = TorchCpuAllocator.counters();
          if (a.hits() + a.misses() > 0) { // the process so far: requests of 64 KB and more
            report.append(String.format(Locale.ROOT, "    libtorch's blocks: %.1f%% of %,d requests served from the cache; held at most %,d MB (live at most %,d MB);"
                + " %,d blocks given back%n", 100.0 * a.hits() / (a.hits() + a.misses()), a.hits() + a.misses(), a.heldPeak() >> 20, a.peakLive() >> 20, a.released()));
          }
        }
      }
      return report.toString().stripTrailing();
    } finally {
      try (var s = Files.walk(dir)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  /**
   * A plain (unheadered) .rec of {@code images} records cycling through {@code jpegs}, record i of class
   * i · classes / images (each its own class, spread evenly), and a property file naming {@code classes}.
   */
  static void writeSpread(Path dataset, List<byte[]> jpegs, int images, int classes) throws IOException {
    Path rec = dataset.resolve("train.rec");
    try (RecordIoWriter w = new RecordIoWriter(rec, RecordIoDataset.siblingIdx(rec))) {
      for (int i = 0; i < images; i++) {
        w.write(i, IrHeader.scalar((int) ((long) i * classes / images), i).pack(jpegs.get(i % jpegs.size())));
      }
    }
    Files.writeString(dataset.resolve("property"), classes + ",112,112\n");
  }
}
