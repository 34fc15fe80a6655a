package dev.facebeam.pipelines.evaluate;

import dev.facebeam.UserInputException;
import dev.facebeam.config.Options;
import dev.facebeam.embed.ModelSpec;
import dev.facebeam.ijb.IjbMode;
import dev.facebeam.ijb.IjbTestsuite;
import dev.facebeam.io.OutputGuard;
import dev.facebeam.io.StageFiles;
import dev.facebeam.pipelines.embed.EmbedPipeline;
import dev.facebeam.pipelines.ijb.IjbOptions;
import dev.facebeam.pipelines.ijb.IjbReport;
import dev.facebeam.pipelines.results.StoreRecords;
import dev.facebeam.pipelines.run.Stage;
import dev.facebeam.pipelines.run.TargetChain;
import dev.facebeam.pipelines.stage.StageLayout;
import dev.facebeam.pipelines.stage.StagePaths;
import dev.facebeam.pipelines.verify.VerifyReport;
import dev.facebeam.results.ResultsStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * {@code evaluate}: for every {@code <target>.bin} of a dataset folder, ingest → embed → verify on
 * the chosen runner, then the seed's results table (accuracy-flip in percent, two decimals), one row
 * per model; rows of earlier runs into the same output are kept.
 */
public final class EvaluateJob {

  private EvaluateJob() {}

  /** What one evaluate run found: accuracy-flip per target (null where the pack was missing). */
  public record Result(String model, Map<String, Double> accuracyFlip, List<String> missing, Path table) {
    /** The console's lines: the results table as written, and the targets whose pack was missing. */
    public String summary() {
      try {
        return Files.readString(table).stripTrailing()
            + (missing.isEmpty() ? "" : "\nmissing targets (no <target>.bin): " + String.join(", ", missing));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** The command line's evaluate: its options made into parameters once. */
  public static Result run(EvaluateOptions o) {
    return run(new EvaluateParams(Path.of(o.getDataset()), Path.of(o.getModel()), EmbedPipeline.settings(o), Path.of(o.getOutput()),
        Options.list(o.getTargets()), StagePaths.given(o.getIjb()), StagePaths.given(o.getResults())), o);
  }

  public static Result run(EvaluateParams params, PipelineOptions runner) {
    Path dataset = params.dataset();
    if (!Files.isDirectory(dataset)) {
      throw new UserInputException(dataset.toString(), "no such dataset folder");
    }
    List<String> targets = new ArrayList<>();
    for (String t : params.targets()) {
      targets.add(OutputGuard.plainName("--targets", t));
    }
    Path ijbRoot = params.ijb();
    IjbTestsuite ijb = ijbRoot == null ? null : IjbTestsuite.open(ijbRoot, null);
    List<Path> inputs = ijbRoot == null ? List.of(dataset, params.model()) : List.of(dataset, params.model(), ijbRoot);
    OutputGuard.folder("--output", params.output().toString(), "evaluate", inputs);
    ResultsStore store = StoreRecords.store(params.results(), params.output(), inputs);
    if (ijbRoot == null && targets.stream().noneMatch(t -> Files.isRegularFile(dataset.resolve(t + ".bin")))) {
      throw new UserInputException(dataset.toString(), targets.isEmpty() ? "--targets names no pack"
          : "holds none of the packs --targets names (" + String.join(", ", targets.stream().map(t -> t + ".bin").toList())
          + "): nothing to evaluate");
    }
    // The same overrides embed will use, so a model whose engine only --engine names resolves here too.
    ModelSpec spec = ModelSpec.resolve(params.model(), params.settings().overrides());
    // Marked as evaluate's only once the model resolves: a typo in --model leaves no folder behind.
    Path output = OutputGuard.claim("--output", params.output().toString(), "evaluate", inputs);
    String model = spec.name();
    TargetChain.Context context = new TargetChain.Context(runner, params.model(), params.settings(), spec,
        (stage, target) -> output.resolve(target).resolve(stage.toString()));
    Map<String, Double> acc = new LinkedHashMap<>();
    List<String> missing = new ArrayList<>();
    List<Stage> scored = new ArrayList<>();
    for (String target : targets) {
      Path bin = dataset.resolve(target + ".bin");
      if (!Files.isRegularFile(bin)) {
        missing.add(target);
        acc.put(target, null);
        continue;
      }
      Stage verify = buildAll(TargetChain.verification(context, target, bin));
      scored.add(verify);
      VerifyReport r = VerifyReport.read(verify.folder().resolve(StageLayout.REPORT_JSON));
      acc.put(target, r.accuracyFlip() != null ? r.accuracyFlip() : r.accuracy());
    }
    if (ijb != null) {
      // IJB's column is TAR at FAR=1e-4 (InsightFace's nearest ROC vertex), as arcface_torch's README reports it.
      Stage scores = buildAll(TargetChain.ijb(context, ijbRoot, ijb.target(), IjbMode.parse("--mode", IjbOptions.MODE)));
      targets.add(scores.target());
      scored.add(scores);
      acc.put(scores.target(), IjbReport.read(scores.folder().resolve(StageLayout.REPORT_JSON)).oneToOne().tarAtFar().get("0.0001"));
    }
    Path table = writeTable(output, model, spec.sha256(), targets, acc);
    TargetChain.store(store, scored);
    return new Result(model, acc, missing, table);
  }

  /** Builds every stage of a chain (evaluate keeps nothing between runs); returns the scoring one. */
  private static Stage buildAll(List<Stage> chain) {
    chain.forEach(Stage::build);
    return chain.get(chain.size() - 1);
  }

  /**
   * Merges this run into results.json and rewrites results.md. A row is one model file — (name,
   * SHA-256) — and a cell one target: this run replaces only the cells it computed; every other row
   * and cell stays, and a target whose pack was missing this time keeps its earlier number.
   */
  static Path writeTable(Path output, String model, String sha, List<String> targets, Map<String, Double> acc) {
    try {
      Path json = output.resolve("results.json");
      ResultsTable table = (Files.exists(json) ? ResultsTable.read(json) : ResultsTable.empty()).merge(model, sha, targets, acc);
      StageFiles.writeAtomically(json, table.toJson());
      StageFiles.writeAtomically(output.resolve("results.md"), table.markdown());
      return output.resolve("results.md");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the results table: " + e.getMessage(), e);
    }
  }
}
