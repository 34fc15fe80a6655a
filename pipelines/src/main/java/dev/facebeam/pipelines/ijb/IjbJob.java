package dev.facebeam.pipelines.ijb;

import dev.facebeam.UserInputException;
import dev.facebeam.config.Options;
import dev.facebeam.ijb.IjbEvaluation;
import dev.facebeam.ijb.IjbMode;
import dev.facebeam.ijb.IjbTestsuite;
import dev.facebeam.io.OutputGuard;
import dev.facebeam.io.StageOutput;
import dev.facebeam.pipelines.figures.Charts;
import dev.facebeam.pipelines.results.StoreRecords;
import dev.facebeam.pipelines.stage.InputDigests;
import dev.facebeam.pipelines.stage.StageLayout;
import dev.facebeam.pipelines.stage.Stages;
import dev.facebeam.proto.Embedding;
import dev.facebeam.proto.StageManifest;
import dev.facebeam.results.ResultsStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * {@code ijb}: IJB-B / IJB-C template evaluation from image features (docs/ijb.md): the 1:1 TAR
 * table exactly as InsightFace's eval_ijbc.py, AUC, the standard TAR at FAR beside it, 1:N as
 * ijb_1n.py; report.json, report.md, scores.npy (float32, pair-file order) and roc.png.
 */
public final class IjbJob {
  private IjbJob() {}

  /** The command line's ijb: its options made into parameters once. */
  public static IjbReport run(IjbOptions options) {
    IjbParams params = params(options);
    ResultsStore store = StoreRecords.store(options, params.output(), List.of(params.input(), params.features().path()));
    IjbReport r = run(params, options);
    store.put(IjbReport.record(params.output()));
    return r;
  }

  /** The command line's options as parameters: the features given one way, the mode checked. */
  public static IjbParams params(IjbOptions o) {
    if (o.getScoresNpy() != null) {
      throw new UserInputException("--scoresNpy", "compares methods' scores: use IjbJob.compare");
    }
    if ((o.getEmbeddings() == null) == (o.getFeaturesNpy() == null)) {
      throw new UserInputException("--embeddings", "give the features one way: --embeddings=<embed output> or --featuresNpy=<file>");
    }
    IjbParams.Features features = o.getEmbeddings() != null ? new IjbParams.Embedded(Path.of(o.getEmbeddings()))
        : new IjbParams.Npy(Path.of(o.getFeaturesNpy()), o.getFused());
    return new IjbParams(Path.of(o.getInput()), features, Path.of(o.getOutput()), IjbMode.parse("--mode", o.getMode()), o.getTarget(),
        o.getMethod());
  }

  /** {@code runner} is only recorded in the manifest: the scoring runs in this JVM. */
  public static IjbReport run(IjbParams params, PipelineOptions runner) {
    Path root = params.input();
    Path features = params.features().path();
    boolean embeddings = params.features() instanceof IjbParams.Embedded;
    Path target = OutputGuard.folder("--output", params.output().toString(), "ijb", List.of(root, features));
    IjbMode mode = params.mode();
    IjbTestsuite suite = IjbTestsuite.open(root, params.target());
    IjbEvaluation.FaceFeatures rows;
    boolean fused = params.features() instanceof IjbParams.Npy n && n.fused();
    if (embeddings) {
      rows = embedded(features, mode);
    } else {
      if (!Files.isRegularFile(features)) {
        throw new UserInputException(features.toString(), "no such feature file");
      }
      rows = IjbEvaluation.npy(features);
    }
    List<Path> inputs = new ArrayList<>(List.of(embeddings ? features.resolve(StageOutput.MANIFEST) : features,
        suite.faceScores(), suite.faceTemplates(), suite.pairs()));
    if (suite.hasOneToN()) {
      inputs.addAll(List.of(suite.galleries()));
      inputs.add(suite.probes());
    }
    InputDigests digests = InputDigests.start(inputs);
    IjbEvaluation.Result r = IjbEvaluation.run(suite, rows, mode, fused);
    String method = params.method() != null ? params.method() : embeddings
        ? embeddedModelName(features) : features.getFileName().toString().replaceFirst("\\.npy$", "");
    IjbReport report = IjbReport.of(r, method, fused);
    Stages.commit(target, "ijb", out -> {
      report.write(out.work());
      Files.writeString(out.work().resolve(StageLayout.REPORT_MD), report.markdown(), StandardCharsets.UTF_8);
      writeScores(out.work().resolve("scores.npy"), r.scores());
      String label = method + "-" + suite.target() + " (" + mode + ")";
      Charts.roc("ROC on " + label, List.of(Charts.vertices(label, r.roc())), null, out.work().resolve("roc"));
      if (report.oneToN() != null) {
        Charts.cmc("CMC on " + label, List.of(Charts.ranks(label, report.oneToN().cmc())), out.work().resolve("cmc"));
      }
      StageManifest.Builder m = Stages.manifest("ijb", root.toString(), r.pairs(), r.pairs(), 0, runner)
          .setFormat(suite.target().toLowerCase(java.util.Locale.ROOT))
          .setPairs(r.pairs())
          .setPositivePairs(r.genuine())
          .putParameters("mode", mode.toString())
          .putParameters("fused", Boolean.toString(fused))
          .putParameters("method", method);
      if (embeddings) {
        Stages.describeModel(StageOutput.readManifest(features), m);
      } else {
        Stages.describeFeatures(method, digests.sha256(features), m);
      }
      m.addAllInputs(digests.all());
      return m;
    });
    return report;
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

  /** The command line's {@code ijb --scoresNpy=A.npy,B.npy}: methods compared in one table and one ROC. */
  public static IjbComparison compare(IjbOptions o) {
    if (o.getEmbeddings() != null || o.getFeaturesNpy() != null) {
      throw new UserInputException("--scoresNpy", "compares scores already computed: leave out --embeddings and --featuresNpy");
    }
    List<String> files = Options.list(o.getScoresNpy());
    List<String> names = o.getLabels() == null ? List.of() : Options.list(o.getLabels());
    if (files.isEmpty()) {
      throw new UserInputException("--scoresNpy", "names no file");
    }
    if (!names.isEmpty() && names.size() != files.size()) {
      throw new UserInputException("--labels", "names " + names.size() + " methods for " + files.size() + " score files");
    }
    return IjbComparison.run(new IjbComparisonParams(Path.of(o.getInput()), files.stream().map(Path::of).toList(), names,
        Path.of(o.getOutput()), o.getTarget()), o);
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
}
