package dev.facebeam.pipelines.evaluate;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.facebeam.UserInputException;
import dev.facebeam.results.Benchmarks;
import dev.facebeam.results.Percent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code evaluate}'s {@code results.json}, one type that writes and reads it, and the
 * {@code results.md} drawn from it. A row is one model file — (name, SHA-256) — and a cell one
 * target's accuracy-flip (null: the pack was missing when the row was made).
 */
public record ResultsTable(String metric, List<String> targets, List<Row> rows) {
  public record Row(String model, String sha256, Map<String, Double> accuracyFlip) {}

  static final String METRIC = "accuracy-flip, 10-fold mean (InsightFace verification.py)";
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeNulls()
      .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES).create();
  /** A target's column name: the seed's benchmark names; IJB columns hold TAR at FAR=1e-4 (docs/ijb.md). */
  static String column(String target) {
    String name = Benchmarks.name(target);
    return target.equals("ijbb") || target.equals("ijbc") ? name + " TAR@1e-4" : name;
  }

  static ResultsTable empty() {
    return new ResultsTable(METRIC, List.of(), List.of());
  }

  /**
   * This table with one run merged in: the run replaces only the cells it computed; every other row
   * and cell stays, and a target whose pack was missing this time keeps its earlier number.
   */
  ResultsTable merge(String model, String sha, List<String> runTargets, Map<String, Double> accuracy) {
    List<String> columns = new ArrayList<>(targets);
    runTargets.stream().filter(t -> !columns.contains(t)).forEach(columns::add);
    List<Row> merged = new ArrayList<>();
    Row mine = null;
    for (Row r : rows) {
      if (r.model().equals(model) && r.sha256().equals(sha)) {
        mine = r;
      } else {
        merged.add(r);
      }
    }
    Map<String, Double> cells = new LinkedHashMap<>(mine == null ? Map.of() : mine.accuracyFlip());
    for (String t : runTargets) {
      Double a = accuracy.get(t);
      if (a != null || !cells.containsKey(t)) {
        cells.put(t, a);
      }
    }
    Row row = new Row(model, sha, cells);
    if (mine == null) {
      merged.add(row);
    } else {
      merged.add(rows.indexOf(mine), row);
    }
    return new ResultsTable(METRIC, columns, merged);
  }

  String toJson() {
    return GSON.toJson(this) + "\n";
  }

  /** Reads an earlier table; a file that is not one is an error naming it (it is never overwritten). */
  static ResultsTable read(Path file) {
    try {
      ResultsTable t = GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), ResultsTable.class);
      if (t == null || t.targets() == null || t.rows() == null
          || t.rows().stream().anyMatch(r -> r.model() == null || r.sha256() == null || r.accuracyFlip() == null)) {
        throw new IllegalArgumentException("fields missing");
      }
      return t;
    } catch (IOException | RuntimeException e) {
      throw new UserInputException(file.toString(), "not a results table this version wrote (" + e.getMessage()
          + "); refusing to overwrite it: choose another --output");
    }
  }

  /** The Markdown table: one column per target, rows by model name; a name shared by two files shows its SHA-256 prefix. */
  String markdown() {
    List<Row> sorted = new ArrayList<>(rows);
    sorted.sort(Comparator.comparing(Row::model).thenComparing(Row::sha256));
    StringBuilder sb = new StringBuilder("# Verification results (accuracy-flip, %)\n\n| model |");
    for (String t : targets) {
      sb.append(' ').append(column(t)).append(" |");
    }
    sb.append("\n| --- |");
    sb.append(" ---: |".repeat(targets.size())).append('\n');
    for (Row row : sorted) {
      boolean shared = sorted.stream().filter(r -> r.model().equals(row.model())).count() > 1;
      String sha = row.sha256();
      sb.append("| ").append(row.model()).append(shared ? " (" + sha.substring(0, Math.min(12, sha.length())) + ")" : "").append(" |");
      for (String t : targets) {
        Double v = row.accuracyFlip().get(t);
        sb.append(' ').append(Percent.of(v)).append(" |");
      }
      sb.append('\n');
    }
    return sb.toString();
  }
}
