package dev.facebeam.runners.bench;

import dev.facebeam.pipelines.pack.PackJob;
import dev.facebeam.pipelines.pack.PackOptions;
import dev.facebeam.train.MetricsLine;
import dev.facebeam.train.TrainConfig;
import dev.facebeam.train.TrainJob;
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

    @Description("Folder of shared fixtures (../shared/data)")
    @Default.String("../shared/data")
    String getFixtures();

    void setFixtures(String value);
  }

  public static String run(Options o) throws Exception {
    Path dir = Files.createTempDirectory("facebeam-bench-train");
    StringBuilder report = new StringBuilder(String.format(Locale.ROOT, "bench-train: ORL (400 JPEG records, 40 classes), batch %d, %d decoding threads, %d cores%n",
        o.getBenchBatch(), o.getBenchWorkers(), Runtime.getRuntime().availableProcessors()));
    try {
      Path dataset = Files.createDirectories(dir.resolve("dataset"));
      PackOptions p = PipelineOptionsFactory.create().as(PackOptions.class);
      p.setInput(Path.of(o.getFixtures(), "orl").toString());
      p.setOutput(dataset.resolve("train.rec").toString());
      PackJob.run(p);
      Path cfg = dir.resolve("bench.json");
      for (String net : dev.facebeam.config.Options.list(o.getNetworks())) {
        Files.writeString(cfg, "{\"network\": \"" + net.strip() + "\", \"loss\": \"softmax\", \"val_targets\": []}");
        int steps = o.getBenchSteps() + 2;
        TrainConfig c = TrainConfig.load(cfg, Map.of("per_batch_size", Integer.toString(o.getBenchBatch()), "max_steps",
            Integer.toString(steps), "frequent", "1", "verbose", "0", "ckpt", "0", "workers", Integer.toString(o.getBenchWorkers())));
        Path out = dir.resolve("out-" + net.strip());
        TrainJob.Result r = TrainJob.run(c, dataset, out, new PrintStream(OutputStream.nullOutputStream()));
        List<MetricsLine> lines = MetricsLine.read(out.resolve(MetricsLine.FILE));
        double sum = 0;
        int n = 0;
        for (MetricsLine l : lines.subList(2, lines.size())) { // the first two steps warm up
          if (l instanceof MetricsLine.Progress progress) {
            sum += 1 / progress.samplesPerSec();
            n++;
          }
        }
        double rate = n / sum; // harmonic mean: samples over time
        report.append(String.format(Locale.ROOT, "  %-6s %7.1f samples/s (%.2f s per step); waiting for data %.1f%% of the run%n",
            net.strip(), rate, o.getBenchBatch() / rate, 100 * r.secondsWaitingForData() / r.seconds()));
      }
      return report.toString().stripTrailing();
    } finally {
      try (var s = Files.walk(dir)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }
}
