package dev.facebeam.results;

import dev.facebeam.UserInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Rows named on the command line: by row label, model name, or a SHA-256 prefix of at least 6 hex digits. */
public final class Selection {
  private Selection() {}

  /** The rows {@code selector} names; none is an error listing the rows there are. */
  public static List<BenchmarkTable.Row> rows(BenchmarkTable table, String selector, String option) {
    String s = selector.trim();
    List<BenchmarkTable.Row> exact = table.rows().stream().filter(r -> r.label().equals(s)).toList();
    if (!exact.isEmpty()) {
      return exact;
    }
    List<BenchmarkTable.Row> found = new ArrayList<>(table.rows().stream().filter(r -> r.model().equals(s)).toList());
    if (found.isEmpty() && s.matches("[0-9a-fA-F]{6,64}")) {
      found.addAll(table.rows().stream().filter(r -> r.sha256().startsWith(s.toLowerCase(Locale.ROOT))).toList());
    }
    if (found.isEmpty()) {
      throw new UserInputException(option, "no model '" + s + "' in the results store (models: " + known(table) + ")");
    }
    return found;
  }

  /** The one row {@code selector} names; two or more is an error listing them. */
  public static BenchmarkTable.Row one(BenchmarkTable table, String selector, String option) {
    List<BenchmarkTable.Row> rows = rows(table, selector, option);
    if (rows.size() > 1) {
      throw new UserInputException(option, "'" + selector + "' names " + rows.size() + " rows: "
          + String.join("; ", rows.stream().map(BenchmarkTable.Row::label).toList()) + " — name one by its label or SHA-256 prefix");
    }
    return rows.get(0);
  }

  /**
   * The records of the rows {@code models} names (all when empty) on the benchmarks named (all when
   * empty); a benchmark the store has no record of is an error listing those it has.
   */
  public static List<ResultRecord> records(List<ResultRecord> all, List<String> models, List<String> benchmarks) {
    List<ResultRecord> kept = all;
    if (!models.isEmpty()) {
      BenchmarkTable table = BenchmarkTable.of(all, Metric.HEADLINE);
      java.util.Set<String> rowKeys = new java.util.HashSet<>();
      for (String m : models) {
        for (BenchmarkTable.Row r : rows(table, m, "--models")) {
          r.records().values().forEach(rec -> rowKeys.add(rec.rowKey()));
        }
      }
      kept = kept.stream().filter(r -> rowKeys.contains(r.rowKey())).toList();
    }
    if (!benchmarks.isEmpty()) {
      java.util.Set<String> known = new java.util.TreeSet<>();
      all.forEach(r -> known.add(r.benchmark()));
      for (String b : benchmarks) {
        if (!known.contains(b)) {
          throw new UserInputException("--benchmarks", "no results for benchmark '" + b + "' in the store (benchmarks: "
              + (known.isEmpty() ? "none yet" : String.join(", ", known)) + ")");
        }
      }
      kept = kept.stream().filter(r -> benchmarks.contains(r.benchmark())).toList();
    }
    return kept;
  }

  private static String known(BenchmarkTable table) {
    return table.rows().isEmpty() ? "none yet" : String.join("; ", table.rows().stream().map(BenchmarkTable.Row::label).toList());
  }
}
