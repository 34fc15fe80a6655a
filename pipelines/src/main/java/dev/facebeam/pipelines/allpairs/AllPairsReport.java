package dev.facebeam.pipelines.allpairs;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.facebeam.UserInputException;
import dev.facebeam.io.StageFiles;
import dev.facebeam.metrics.AllPairs;
import dev.facebeam.pipelines.results.StoreRecords;
import dev.facebeam.pipelines.stage.StageLayout;
import dev.facebeam.results.Metric;
import dev.facebeam.results.Percent;
import dev.facebeam.results.ResultRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The all-pairs stage's {@code report.json}, one type that writes and reads it (docs/allpairs.md):
 * per set (all images, then each group) the genuine and impostor pair counts and, per target FAR,
 * the exact ROC point — TAR, the FAR it reaches and its threshold; null where the FAR is under one
 * impostor pair, a threshold null where it lies above every score — and the equal error rate.
 * {@code mode}: all-to-all, or cross (only query × non-query pairs).
 */
public record AllPairsReport(String benchmark, String embeddings, int images, int dimension, String mode, List<SetReport> sets,
    int passes, String protocol) {
  static final String ALL_TO_ALL = "all-to-all";
  static final String CROSS = "cross";
  static final String PROTOCOL = "every pair i < j once; genuine iff same label; per FAR the vertex of scikit-learn's roc_curve"
      + " (defaults, drop_intermediate) with the highest TPR at FPR <= FAR, the last on ties; same iff score >= threshold;"
      + " scores: float32 dot products of the rows as given";
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping()
      .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES).create();

  /** One set's pairs and points, FARs keyed as Python's %g writes them ("1e-06" … "0.1"). */
  public record SetReport(String name, long genuine, long impostor, Map<String, Point> tarAtFar, Eer eer) {}

  /** Where FNMR = FAR on the ROC's polyline, and the threshold of the vertex there; null without genuine or impostor pairs. */
  public record Eer(Double rate, Double threshold) {}

  /** {@code fnmr}: 1 − TAR, the false non-match rate at that false match rate (ISO's names for the same point). */
  public record Point(Double tar, Double far, Double threshold, Double fnmr) {}

  static AllPairsReport of(String benchmark, String embeddings, int images, int dimension, Map<String, AllPairs.Result> results,
      int passes, String mode) {
    List<SetReport> sets = new ArrayList<>();
    results.forEach((name, r) -> {
      Map<String, Point> points = new LinkedHashMap<>();
      r.atFar().forEach((far, op) -> points.put(farKey(far), op == null ? null
          : new Point(finite(op.tar()), finite(op.far()), finite(op.threshold()), finite(1 - op.tar()))));
      Eer eer = r.eer() == null ? null : new Eer(finite(r.eer().rate()), finite(r.eer().threshold()));
      sets.add(new SetReport(name, r.genuine(), r.impostor(), points, eer));
    });
    return new AllPairsReport(benchmark, embeddings, images, dimension, mode, sets, passes, PROTOCOL);
  }

  static String farKey(double far) {
    String k = Metric.farKey(Double.toString(far));
    return k != null ? k : Double.toString(far);
  }

  private static Double finite(double v) {
    return Double.isFinite(v) ? v : null;
  }

  void write(Path dir) throws IOException {
    StageFiles.writeAtomically(dir.resolve(StageLayout.REPORT_JSON), GSON.toJson(this) + "\n");
    StageFiles.writeAtomically(dir.resolve(StageLayout.REPORT_MD), markdown());
  }

  static AllPairsReport read(Path file) {
    try {
      return GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), AllPairsReport.class);
    } catch (IOException | RuntimeException e) {
      throw new UserInputException(file.toString(), "not an all-pairs report: " + e.getMessage(), e);
    }
  }

  /**
   * The results-store records of an all-pairs output (docs/results.md): one per set — the benchmark for
   * all images, "benchmark/group" for each group — with its TAR at each FAR.
   */
  public static List<ResultRecord> records(Path dir) {
    AllPairsReport r = read(dir.resolve(StageLayout.REPORT_JSON));
    List<ResultRecord> out = new ArrayList<>();
    for (SetReport s : r.sets()) {
      Map<String, Double> tar = new LinkedHashMap<>();
      s.tarAtFar().forEach((far, p) -> tar.put(far, p == null ? null : p.tar()));
      java.util.TreeMap<String, String> protocol = new java.util.TreeMap<>(Map.of("mode", r.mode(), "set", s.name()));
      ResultRecord.Metrics metrics = new ResultRecord.Metrics(null, null, null, null, null, null, null, null, tar, null, null);
      String benchmark = s.name().equals("all") ? r.benchmark() : r.benchmark() + "/" + s.name();
      out.add(StoreRecords.record(dir, "all-pairs", benchmark, ResultRecord.ALL_PAIRS, protocol, metrics, null,
          s.genuine() + s.impostor(), s.impostor()));
    }
    return out;
  }

  /** The console's lines: the report's table. */
  public String summary() {
    return markdown().stripTrailing();
  }

  /** TAR in percent per set and FAR, as IFRT's table; below it each point's threshold and FAR reached. */
  public String markdown() {
    List<String> fars = sets.isEmpty() ? List.of() : new ArrayList<>(sets.get(0).tarAtFar().keySet());
    StringBuilder sb = new StringBuilder("# " + (CROSS.equals(mode) ? "Cross (query × other)" : "All-to-all") + " 1:1 on " + benchmark
        + " (" + images + " images, " + dimension + "-d)\n\n| set | genuine | impostor |");
    fars.forEach(f -> sb.append(" TAR@FAR≤").append(f).append(" |"));
    sb.append(" EER |\n| --- | ---: | ---: |").append(" ---: |".repeat(fars.size() + 1)).append('\n');
    for (SetReport s : sets) {
      sb.append("| ").append(s.name()).append(" | ").append(s.genuine()).append(" | ").append(s.impostor()).append(" |");
      for (String f : fars) {
        Point p = s.tarAtFar().get(f);
        sb.append(' ').append(p == null ? "–" : Percent.of(p.tar())).append(" |");
      }
      sb.append(' ').append(s.eer() == null ? "–" : Percent.of(s.eer().rate())).append(" |\n");
    }
    sb.append("\nTAR and EER in percent; – where the FAR is under one impostor pair. Thresholds (same iff score ≥ it) and the FAR"
        + " each reaches:\n\n| set | FAR ≤ | TAR | FNMR | FAR | threshold |\n| --- | ---: | ---: | ---: | ---: | ---: |\n");
    for (SetReport s : sets) {
      s.tarAtFar().forEach((f, p) -> {
        if (p != null) {
          sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %.3g | %s |%n", s.name(), f, Percent.of(p.tar()),
              Percent.of(p.fnmr()), p.far(),
              p.threshold() == null ? "above every score" : String.format(Locale.ROOT, "%.7g", p.threshold())));
        }
      });
    }
    sb.append("\nEvery pair i < j counted, none sampled (docs/allpairs.md); ").append(passes).append(" passes over the pairs.\n");
    return sb.toString();
  }
}
