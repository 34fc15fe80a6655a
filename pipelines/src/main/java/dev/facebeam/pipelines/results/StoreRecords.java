package dev.facebeam.pipelines.results;

import dev.facebeam.pipelines.ijb.IjbReport;
import dev.facebeam.pipelines.megaface.MegaFaceReport;
import dev.facebeam.pipelines.verify.VerifyReport;
import dev.facebeam.UserInputException;
import dev.facebeam.io.StageOutput;
import dev.facebeam.proto.StageManifest;
import dev.facebeam.results.Metric;
import dev.facebeam.results.ResultRecord;
import dev.facebeam.results.ResultsStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Results-store records made from scoring stages' outputs (docs/results.md): a verify, megaface or
 * ijb output says by itself — its manifest and report.json — which model, how embedded, and what it
 * measured, so a record can be made again from it at any time and comes out byte for byte the same.
 */
public final class StoreRecords {
  private StoreRecords() {}

  /** The store a command writes to: {@code --results}, or facebeam-results beside {@code output}; checked now, before any work. */
  public static ResultsStore store(ResultsOptions o, String output, Collection<Path> inputs) {
    return store(o.getResults(), output, inputs);
  }

  /** {@link #store(ResultsOptions, String, Collection)} for a {@code --results} value (null: the default). */
  public static ResultsStore store(String results, String output, Collection<Path> inputs) {
    String raw = results != null ? results : ResultsStore.besides(output);
    Path out = Path.of(output).toAbsolutePath().normalize();
    if (Path.of(raw).toAbsolutePath().normalize().startsWith(out)) {
      throw new UserInputException("--results=" + raw, "lies inside the output folder " + out
          + ", which a rerun replaces: name a folder outside it");
    }
    List<Path> all = new ArrayList<>();
    inputs.stream().filter(java.util.Objects::nonNull).forEach(all::add);
    all.add(out);
    return ResultsStore.at("--results", raw, all);
  }

  /** Adds the records of the scoring outputs among {@code dirs} that exist; returns them, in that order. */
  public static List<ResultRecord> addAll(ResultsStore store, List<Path> dirs) {
    List<ResultRecord> added = new ArrayList<>();
    for (Path d : dirs) {
      if (java.nio.file.Files.isRegularFile(d.resolve(StageOutput.MANIFEST))) {
        ResultRecord r = of(d);
        store.put(r);
        added.add(r);
      }
    }
    return added;
  }

  /** The record of one scoring stage's output, by the stage its manifest names. */
  public static ResultRecord of(Path dir) {
    StageManifest m = StageOutput.requireIntact(dir);
    return switch (m.getStage()) {
      case "verify" -> verification(dir, m);
      case "megaface" -> megaface(dir, m);
      case "ijb" -> ijb(dir, m);
      default -> throw new UserInputException(dir.toString(), "is a " + m.getStage() + " output: only verify, megaface and ijb"
          + " outputs hold results");
    };
  }

  private static ResultRecord verification(Path dir, StageManifest m) {
    VerifyReport r = VerifyReport.read(dir.resolve(VerifyReport.FILE));
    ResultRecord.Metrics metrics = new ResultRecord.Metrics(r.accuracy(), r.accuracyStd(), r.accuracyFlip(), r.accuracyFlipStd(),
        r.xnorm(), r.val(), r.valStd(), r.far(), r.tarAtFar(), null, null);
    return record(dir, m, r.target(), ResultRecord.VERIFICATION, new TreeMap<>(Map.of("folds", Integer.toString(r.folds()))),
        metrics, r.roc(), (long) r.pairs(), r.negatives());
  }

  private static ResultRecord megaface(Path dir, StageManifest m) {
    MegaFaceReport r = MegaFaceReport.read(dir.resolve(MegaFaceReport.FILE));
    Map<String, Double> rank1 = new LinkedHashMap<>();
    r.sizes().forEach(s -> rank1.put(Integer.toString(s.size()), s.rank1()));
    Map<String, Double> tar = new LinkedHashMap<>();
    List<Double> cmc = null;
    if (!r.sizes().isEmpty()) {
      MegaFaceReport.Size largest = r.sizes().get(r.sizes().size() - 1);
      largest.tarAtFar().forEach((far, v) -> {
        String key = Metric.farKey(far);
        tar.put(key != null ? key : far, Double.isFinite(v[0]) ? v[0] : null);
      });
      cmc = java.util.Arrays.stream(largest.cmc()).boxed().toList();
    }
    TreeMap<String, String> protocol = new TreeMap<>();
    for (String k : List.of("sizes", "far", "noise_cleaning", "top_k")) {
      protocol.put(k, m.getParametersOrDefault(k, ""));
    }
    ResultRecord.Metrics metrics = new ResultRecord.Metrics(null, null, null, null, null, null, null, null, tar, rank1, cmc);
    return record(dir, m, "megaface", ResultRecord.MEGAFACE, protocol, metrics, null, null, null);
  }

  private static ResultRecord ijb(Path dir, StageManifest m) {
    IjbReport r = IjbReport.read(dir.resolve(IjbReport.FILE));
    TreeMap<String, String> protocol = new TreeMap<>(Map.of("mode", r.mode(), "fused", Boolean.toString(r.fused())));
    List<Double> cmc = r.oneToN() == null ? null : r.oneToN().cmc();
    ResultRecord.Metrics metrics = new ResultRecord.Metrics(null, null, null, null, null, null, null, null,
        r.oneToOne().tarAtFar(), null, cmc);
    return record(dir, m, r.target().toLowerCase(java.util.Locale.ROOT), ResultRecord.IJB, protocol, metrics,
        r.oneToOne().roc(), (long) r.pairs(), r.pairs() - r.genuine());
  }

  private static ResultRecord record(Path dir, StageManifest m, String benchmark, String kind, TreeMap<String, String> protocol,
      ResultRecord.Metrics metrics, ResultRecord.Curve roc, Long pairs, Long negatives) {
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
