package dev.facebeam.pipelines.results;

import dev.facebeam.UserInputException;
import dev.facebeam.io.StageOutput;
import dev.facebeam.proto.StageManifest;
import dev.facebeam.results.ResultRecord;
import dev.facebeam.results.ResultsStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;

/**
 * The results store's side of the scoring stages (docs/results.md): where a command's store is, and
 * a record made from a scoring output. A verify, megaface or ijb output says by itself — its manifest
 * and report.json — which model, how embedded, and what it measured, so a record can be made again
 * from it at any time and comes out byte for byte the same; each stage reads its own report.
 */
public final class StoreRecords {
  private StoreRecords() {}

  /** The store a command writes to: {@code --results}, or facebeam-results beside {@code output}; checked now, before any work. */
  public static ResultsStore store(ResultsOptions o, Path output, Collection<Path> inputs) {
    return store(o.getResults() == null ? null : Path.of(o.getResults()), output, inputs);
  }

  /** {@link #store(ResultsOptions, Path, Collection)} for a {@code --results} value (null: the default). */
  public static ResultsStore store(Path results, Path output, Collection<Path> inputs) {
    String raw = results != null ? results.toString() : ResultsStore.besides(output.toString());
    Path out = output.toAbsolutePath().normalize();
    if (Path.of(raw).toAbsolutePath().normalize().startsWith(out)) {
      throw new UserInputException("--results=" + raw, "lies inside the output folder " + out
          + ", which a rerun replaces: name a folder outside it");
    }
    List<Path> all = new ArrayList<>();
    inputs.stream().filter(java.util.Objects::nonNull).forEach(all::add);
    all.add(out);
    return ResultsStore.at("--results", raw, all);
  }

  /**
   * The record of one scoring output: what it measured (given by its stage, which knows its report)
   * and what its manifest says of the model and how it embedded.
   */
  public static ResultRecord record(Path dir, String stage, String benchmark, String kind, TreeMap<String, String> protocol,
      ResultRecord.Metrics metrics, ResultRecord.Curve roc, Long pairs, Long negatives) {
    StageManifest m = StageOutput.requireIntact(dir);
    if (!m.getStage().equals(stage)) {
      throw new UserInputException(dir.toString(), "is a " + m.getStage() + " output, not a " + stage + " output");
    }
    if (!m.containsParameters("model_name") || !m.containsParameters("model_sha256")) {
      throw new UserInputException(dir.toString(), "this " + m.getStage() + " output does not name its model (made by an"
          + " earlier facebeam): rerun " + m.getStage() + " to add it to the results store");
    }
    TreeMap<String, String> settings = new TreeMap<>();
    for (String k : List.of("flip", "engine")) {
      if (m.containsParameters(k)) {
        settings.put(k, m.getParametersOrThrow(k));
      }
    }
    return new ResultRecord(benchmark, kind, m.getParametersOrThrow("model_name"), m.getParametersOrThrow("model_sha256"),
        m.getParametersOrDefault("preprocessing", "unknown"), settings, protocol, metrics, roc, pairs, negatives,
        m.getFacebeamVersion(), m.getCreated(), dir.toAbsolutePath().normalize().toString());
  }
}
