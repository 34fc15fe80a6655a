package dev.facebeam.train;

import dev.facebeam.io.OutputGuard;
import dev.facebeam.io.StageFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/**
 * The seed's advice ("try a few learning rates for a short while and keep the one whose verification
 * accuracy rises fastest") as a command: one short run per rate, verification at four points, the
 * rate with the highest mean accuracy over those points recommended (the area under its curve; the
 * final accuracy breaks ties), a table and a plot. A run whose loss goes NaN is reported, never
 * recommended.
 */
public final class LrProbe {
  private LrProbe() {}

  /** One rate's curve: steps and the mean Accuracy-Flip over the targets at each, or why it stopped. */
  public record Curve(double lr, List<Long> steps, List<Double> accuracy, String failure) {
    double area() {
      return accuracy.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    }

    double last() {
      return accuracy.isEmpty() ? 0 : accuracy.get(accuracy.size() - 1);
    }
  }

  public record Result(List<Curve> curves, Double recommended, Path report) {
    /** The console's lines: the report as written. */
    public String summary() {
      try {
        return java.nio.file.Files.readString(report).stripTrailing();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }

  /** The command line's lr-probe: the learning rates as numbers, the rest as for train. */
  public static Result run(LrProbeOptions o, PrintStream log) {
    List<Double> lrs = dev.facebeam.config.Options.list(o.getLrs()).stream().map(Double::parseDouble).toList();
    return run(Path.of(o.getConfig()), Path.of(o.getDataset()), Path.of(o.getOutput()), lrs, o.getSteps(),
        TrainConfig.overrides(o.getOverrides()), log);
  }

  public static Result run(Path config, Path dataset, Path output, List<Double> lrs, int steps, Map<String, String> overrides,
      PrintStream log) {
    // max_steps 0 means "no limit" to train: a probe of 0 steps would never end.
    dev.facebeam.config.Options.number("--steps", Integer.toString(steps), 1, 100_000_000);
    if (lrs.isEmpty()) {
      throw new dev.facebeam.UserInputException("--lrs", "names no learning rate (e.g. --lrs=0.1,0.01,0.005)");
    }
    for (double lr : lrs) {
      if (!(lr > 0) || !Double.isFinite(lr)) {
        throw new dev.facebeam.UserInputException("--lrs", lr + " is not a learning rate: each must be a finite number above 0");
      }
    }
    OutputGuard.folder("--output", output.toString(), "lr-probe", List.of(config, dataset));
    // The config and the dataset are checked before the folder is marked: a typo there leaves none behind.
    FaceData.open(dataset, TrainConfig.load(config, overrides).numClasses());
    output = OutputGuard.claim("--output", output.toString(), "lr-probe", List.of(config, dataset));
    List<Curve> curves = new ArrayList<>();
    for (double lr : lrs) {
      Map<String, String> o = new LinkedHashMap<>(overrides);
      o.put("lr", Double.toString(lr));
      o.put("max_steps", Integer.toString(steps));
      o.put("verbose", Integer.toString(Math.max(1, steps / 4)));
      o.put("ckpt", "0");
      TrainConfig c = TrainConfig.load(config, o);
      log.println("lr-probe: lr " + lr + ", " + steps + " steps");
      try {
        TrainJob.Result r = TrainJob.run(c, dataset, output.resolve(String.format(Locale.ROOT, "lr-%s", lr)), log);
        List<Long> at = new ArrayList<>();
        List<Double> acc = new ArrayList<>();
        long every = Math.max(1, steps / 4);
        for (int i = 0; i < r.rounds().size(); i++) {
          at.add(Math.min(steps, (i + 1) * every));
          acc.add(r.rounds().get(i).stream().mapToDouble(Verifier.Score::accuracyFlip).average().orElse(0));
        }
        if (r.rounds().isEmpty() || r.rounds().get(0).isEmpty()) {
          throw new IllegalStateException("no val_targets found in " + dataset + ": nothing to compare the rates by");
        }
        curves.add(new Curve(lr, at, acc, null));
      } catch (TrainJob.Diverged d) {
        curves.add(new Curve(lr, List.of(), List.of(), d.getMessage()));
      }
    }
    Curve best = null;
    for (Curve cv : curves) {
      if (cv.failure() == null && (best == null || cv.area() > best.area() || (cv.area() == best.area() && cv.last() > best.last()))) {
        best = cv;
      }
    }
    try {
      Path report = write(output, curves, best);
      return new Result(curves, best == null ? null : best.lr(), report);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path write(Path output, List<Curve> curves, Curve best) throws IOException {
    Files.createDirectories(output);
    StringBuilder md = new StringBuilder("# lr-probe\n\n| lr | mean Accuracy-Flip over the checks | last | curve |\n| ---: | ---: | ---: | --- |\n");
    XYChart chart = new XYChartBuilder().width(640).height(480).title("lr-probe").xAxisTitle("step").yAxisTitle("Accuracy-Flip").build();
    for (int i = 0; i < curves.size(); i++) {
      Curve c = curves.get(i);
      md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s |%n", c.lr(),
          c.failure() == null ? String.format(Locale.ROOT, "%.5f", c.area()) : "—",
          c.failure() == null ? String.format(Locale.ROOT, "%.5f", c.last()) : "—",
          c.failure() == null ? c.accuracy().stream().map(a -> String.format(Locale.ROOT, "%.4f", a)).toList().toString() : "stopped: " + c.failure()));
      if (c.failure() == null && !c.steps().isEmpty()) {
        chart.addSeries("lr " + c.lr(), c.steps().stream().mapToDouble(Long::doubleValue).toArray(),
            c.accuracy().stream().mapToDouble(Double::doubleValue).toArray());
      }
    }
    md.append(best == null ? "\nNo rate trained without diverging.\n"
        : String.format(Locale.ROOT, "%nRecommended: lr %s (its accuracy rose fastest: highest mean over the checks).%n", best.lr()));
    StageFiles.writeAtomically(output.resolve("lr-probe.md"), md.toString());
    new LrProbeReport(curves, best == null ? null : best.lr()).write(output);
    System.setProperty("java.awt.headless", "true");
    StageFiles.writeAtomically(output.resolve("lr-probe.png"), BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
    return output.resolve("lr-probe.md");
  }
}
