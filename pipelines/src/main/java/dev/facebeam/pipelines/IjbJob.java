package dev.facebeam.pipelines;

import dev.facebeam.UserInputException;
import dev.facebeam.ijb.IjbEvaluation;
import dev.facebeam.ijb.IjbMode;
import dev.facebeam.ijb.IjbTestsuite;
import dev.facebeam.ijb.RocCurve;
import dev.facebeam.io.Digests;
import dev.facebeam.io.OutputGuard;
import dev.facebeam.io.StageOutput;
import dev.facebeam.proto.Embedding;
import dev.facebeam.proto.StageManifest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptions;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * {@code ijb}: IJB-B / IJB-C template evaluation from image features (docs/ijb.md): the 1:1 TAR
 * table exactly as InsightFace's eval_ijbc.py, AUC, the standard TAR at FAR beside it, 1:N as
 * ijb_1n.py; report.json, report.md, scores.npy (float32, pair-file order) and roc.png.
 */
public final class IjbJob {
  private IjbJob() {}

  /** The command line's ijb: its options made into parameters once. */
  public static IjbReport run(IjbOptions options) {
    return run(IjbParams.of(options), options);
  }

  /** {@code runner} is only recorded in the manifest: the scoring runs in this JVM. */
  public static IjbReport run(IjbParams params, PipelineOptions runner) {
    if (params.scoresNpy() != null) {
      throw new UserInputException("--scoresNpy", "compares methods' scores: use IjbJob.compare");
    }
    if ((params.embeddings() == null) == (params.featuresNpy() == null)) {
      throw new UserInputException("--embeddings", "give the features one way: --embeddings=<embed output> or --featuresNpy=<file>");
    }
    Path root = Path.of(params.input());
    Path features = Path.of(params.embeddings() != null ? params.embeddings() : params.featuresNpy());
    Path target = OutputGuard.folder("--output", params.output(), "ijb", List.of(root, features));
    IjbMode mode = IjbMode.parse("--mode", params.mode());
    IjbTestsuite suite = IjbTestsuite.open(root, params.target());
    IjbEvaluation.FaceFeatures rows;
    boolean fused = params.fused();
    if (params.embeddings() != null) {
      rows = embedded(features, mode);
      fused = false;
    } else {
      if (!Files.isRegularFile(features)) {
        throw new UserInputException(features.toString(), "no such feature file");
      }
      rows = IjbEvaluation.npy(features);
    }
    IjbEvaluation.Result r = IjbEvaluation.run(suite, rows, mode, fused);
    String method = params.method() != null ? params.method() : params.embeddings() != null
        ? embeddedModelName(features) : features.getFileName().toString().replaceFirst("\\.npy$", "");
    IjbReport report = IjbReport.of(r, method, fused);
    StageOutput out = StageOutput.begin(target);
    try {
      report.write(out.work());
      Files.writeString(out.work().resolve("report.md"), report.markdown(), StandardCharsets.UTF_8);
      writeScores(out.work().resolve("scores.npy"), r.scores());
      roc(r.roc(), method + "-" + suite.target() + " (" + mode + ")", out.work().resolve("roc.png"));
      if (report.oneToN() != null) {
        cmc(report.oneToN().cmc(), method + "-" + suite.target() + " (" + mode + ")", out.work().resolve("cmc.png"));
      }
      StageManifest.Builder m = Stages.manifest("ijb", root.toString(), r.pairs(), r.pairs(), 0, runner)
          .setFormat(suite.target().toLowerCase(java.util.Locale.ROOT))
          .setPairs(r.pairs())
          .setPositivePairs(r.genuine())
          .putParameters("mode", mode.toString())
          .putParameters("fused", Boolean.toString(fused))
          .putParameters("method", method);
      List<Path> inputs = new ArrayList<>(List.of(params.embeddings() != null ? features.resolve(StageOutput.MANIFEST) : features,
          suite.faceScores(), suite.faceTemplates(), suite.pairs()));
      if (suite.hasOneToN()) {
        inputs.addAll(List.of(suite.galleries()));
        inputs.add(suite.probes());
      }
      for (Path p : inputs) {
        m.addInputs(Digests.of(p, p.toString(), Long.MAX_VALUE));
      }
      Stages.digestOutputs(out.work(), m);
      out.commit(m.build());
      return report;
    } catch (IOException e) {
      out.abort();
      throw new UncheckedIOException("cannot write the ijb output: " + e.getMessage(), e);
    } catch (RuntimeException | Error e) {
      out.abort();
      throw e;
    }
  }

  /**
   * The faces' [original | mirrored] embeddings from an embed output of an IJB ingest, by face (the
   * record's index is its line in the face list); a face rejected at ingest or embed has none.
   */
  static IjbEvaluation.FaceFeatures embedded(Path dir, IjbMode mode) {
    StageManifest m = StageOutput.requireIntact(dir);
    if (!m.getStage().equals("embed") || !m.getFormat().equals("ijb")) {
      throw new UserInputException(dir.toString(), "is not the embed output of an IJB ingest (stage " + m.getStage()
          + ", format " + m.getFormat() + ")");
    }
    java.util.Map<Long, float[]> byFace = new java.util.HashMap<>();
    java.util.Map<Long, Long> templates = new java.util.HashMap<>();
    try {
      for (String shard : m.getShardsList()) {
        for (Embedding e : Stages.readShard(dir.resolve(shard), Embedding.parser())) {
          if (e.getRawOriginalCount() == 0) {
            throw new UserInputException(dir.resolve(shard).toString(), "embedding " + e.getId() + " has no raw vectors");
          }
          if (e.getRawFlippedCount() == 0 && mode.flip()) {
            throw new UserInputException(dir.toString(), "was embedded with --flip=false: mode " + mode
                + " needs the mirrored view (use F0)");
          }
          int d = e.getRawOriginalCount();
          float[] row = new float[2 * d];
          for (int i = 0; i < d; i++) {
            row[i] = e.getRawOriginal(i);
            row[d + i] = e.getRawFlippedCount() == 0 ? 0f : e.getRawFlipped(i);
          }
          byFace.put(e.getIndex(), row);
          templates.put(e.getIndex(), e.getTemplateId());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + dir + ": " + e.getMessage(), e);
    }
    int rows = (int) byFace.keySet().stream().mapToLong(Long::longValue).max().orElse(-1) + 1;
    return new IjbEvaluation.FaceFeatures() {
      public int rows() {
        return rows;
      }

      public boolean everyFace() {
        return false; // faces rejected at ingest or embed have no row
      }

      public float[] row(int face) {
        return byFace.remove((long) face); // read once, in face order: the map drains as the vectors fill
      }

      public long templateOf(int face) {
        return templates.getOrDefault((long) face, -1L);
      }

      public String source() {
        return dir.toString();
      }
    };
  }

  private static String embeddedModelName(Path dir) {
    return StageOutput.requireManifest(dir).getParametersOrDefault("model_name", dir.getFileName().toString());
  }

  /** {@code ijb --scoresNpy=A.npy,B.npy}: methods compared in one table and one ROC. */
  public static IjbComparison compare(IjbParams params, PipelineOptions runner) {
    if (params.embeddings() != null || params.featuresNpy() != null) {
      throw new UserInputException("--scoresNpy", "compares scores already computed: leave out --embeddings and --featuresNpy");
    }
    return IjbComparison.run(params, runner);
  }

  /** The pair scores as a float32 .npy, in pair-file order. */
  static void writeScores(Path file, double[] scores) throws IOException {
    try (dev.facebeam.codec.export.NpyWriter w = new dev.facebeam.codec.export.NpyWriter(file, scores.length)) {
      float[] f = new float[scores.length];
      for (int i = 0; i < f.length; i++) {
        f[i] = (float) scores[i];
      }
      w.write(f);
    }
  }

  /** 1:N: the share of probes whose mate ranks within the first k, k = 1 … 20. */
  static void cmc(List<Double> cmc, String label, Path png) throws IOException {
    System.setProperty("java.awt.headless", "true");
    List<Integer> k = new ArrayList<>();
    for (int i = 1; i <= cmc.size(); i++) {
      k.add(i);
    }
    XYChart chart = new XYChartBuilder().width(640).height(480).title("CMC on " + label).xAxisTitle("Rank")
        .yAxisTitle("Identification rate").build();
    chart.getStyler().setYAxisMin(Math.min(0.9, cmc.stream().mapToDouble(Double::doubleValue).min().orElse(0) - 0.02))
        .setYAxisMax(1.0).setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSE);
    chart.addSeries(label, k, cmc).setMarker(SeriesMarkers.CIRCLE);
    BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  /** TPR against FPR on a log axis from 1e-6 to 0.1, as the reference scripts plot it. */
  static void roc(RocCurve roc, String label, Path png) throws IOException {
    roc("ROC on " + label, List.of(label), List.of(roc), 640, 480, png);
  }

  /** The curves of one or more methods on one log FPR axis (vertices at FPR 0 left out: a log axis has no 0). */
  static void roc(String title, List<String> labels, List<RocCurve> curves, int width, int height, Path png) throws IOException {
    System.setProperty("java.awt.headless", "true");
    XYChart chart = new XYChartBuilder().width(width).height(height).title(title)
        .xAxisTitle("False Positive Rate").yAxisTitle("True Positive Rate").build();
    chart.getStyler().setXAxisLogarithmic(true).setXAxisMin(1e-6).setXAxisMax(0.1).setYAxisMin(0.3).setYAxisMax(1.0)
        .setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSE);
    for (int c = 0; c < curves.size(); c++) {
      RocCurve roc = curves.get(c);
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      for (int i = 0; i < roc.fpr().length; i++) {
        if (roc.fpr()[i] > 0) {
          x.add(roc.fpr()[i]);
          y.add(roc.tpr()[i]);
        }
      }
      if (!x.isEmpty()) {
        chart.addSeries(labels.get(c), x, y).setMarker(SeriesMarkers.NONE);
      }
    }
    BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
  }

}
