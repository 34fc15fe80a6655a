package dev.facebeam.results;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The seed's results table (docs/results.md): models as rows, benchmarks as columns in InsightFace's
 * order, one metric. A row is one model file preprocessed and embedded one way; a column is one
 * benchmark under one set of protocol parameters (named in the header only when a benchmark has two).
 */
public record BenchmarkTable(Metric metric, List<Column> columns, List<Row> rows) {

  public record Column(String key, String benchmark, String kind, String label) {}

  /** {@code cells} and {@code records} by column key; a missing key is "not measured". */
  public record Row(String label, String model, String sha256, Map<String, ResultRecord> records) {
    public Double value(Metric metric, Column c) {
      ResultRecord r = records.get(c.key());
      return r == null ? null : metric.of(r);
    }

    public Double std(Metric metric, Column c) {
      ResultRecord r = records.get(c.key());
      return r == null ? null : metric.std(r);
    }
  }

  /** The table of {@code records} under {@code metric}; rows sorted by label, columns by the seed's order. */
  public static BenchmarkTable of(List<ResultRecord> records, Metric metric) {
    Map<String, List<ResultRecord>> byRow = new LinkedHashMap<>();
    Map<String, Map<String, String>> protocolsByBenchmark = new TreeMap<>();
    Map<String, ResultRecord> columnSample = new TreeMap<>();
    for (ResultRecord r : records) {
      byRow.computeIfAbsent(r.rowKey(), k -> new ArrayList<>()).add(r);
      protocolsByBenchmark.computeIfAbsent(r.benchmark(), k -> new TreeMap<>()).put(r.columnKey(), r.protocol().toString());
      columnSample.putIfAbsent(r.columnKey(), r);
    }
    List<Column> columns = new ArrayList<>();
    for (ResultRecord sample : columnSample.values()) {
      String name = Benchmarks.name(sample.benchmark());
      if (metric.equals(Metric.HEADLINE)) {
        name += switch (sample.kind()) {
          case ResultRecord.MEGAFACE -> " rank-1";
          case ResultRecord.IJB, ResultRecord.ALL_PAIRS -> " TAR@1e-4";
          default -> "";
        };
      }
      if (protocolsByBenchmark.get(sample.benchmark()).size() > 1) {
        name += " " + differing(sample, records);
      }
      columns.add(new Column(sample.columnKey(), sample.benchmark(), sample.kind(), name));
    }
    columns.sort(Comparator.comparingInt((Column c) -> Benchmarks.rank(c.benchmark(), c.kind())).thenComparing(Column::benchmark)
        .thenComparing(Column::label));
    List<Row> rows = new ArrayList<>();
    for (List<ResultRecord> group : byRow.values()) {
      ResultRecord first = group.get(0);
      Map<String, ResultRecord> cells = new LinkedHashMap<>();
      group.forEach(r -> cells.put(r.columnKey(), r));
      rows.add(new Row(label(first, records), first.model(), first.modelSha256(), cells));
    }
    rows.sort(Comparator.comparing(Row::label));
    return new BenchmarkTable(metric, columns, rows);
  }

  /**
   * A row's name: the model's, with what tells it apart from other rows of that name — its SHA-256
   * prefix when the files differ, then its preprocessing and settings when those do.
   */
  static String label(ResultRecord r, List<ResultRecord> all) {
    List<ResultRecord> namesakes = all.stream().filter(o -> o.model().equals(r.model()) && !o.rowKey().equals(r.rowKey())).toList();
    if (namesakes.isEmpty()) {
      return r.model();
    }
    List<String> parts = new ArrayList<>();
    if (namesakes.stream().anyMatch(o -> !o.modelSha256().equals(r.modelSha256()))) {
      parts.add(r.modelSha256().substring(0, Math.min(12, r.modelSha256().length())));
    }
    List<ResultRecord> sameFile = namesakes.stream().filter(o -> o.modelSha256().equals(r.modelSha256())).toList();
    if (sameFile.stream().anyMatch(o -> !o.preprocessing().equals(r.preprocessing()))) {
      parts.add(r.preprocessing());
    }
    for (Map.Entry<String, String> s : r.settings().entrySet()) {
      if (sameFile.stream().anyMatch(o -> !s.getValue().equals(o.settings().get(s.getKey())))) {
        parts.add(s.getKey() + "=" + s.getValue());
      }
    }
    return r.model() + " (" + String.join(", ", parts) + ")";
  }

  /** The protocol parameters in which this column differs from others of its benchmark, as "[k=v, …]". */
  private static String differing(ResultRecord r, List<ResultRecord> all) {
    List<String> parts = new ArrayList<>();
    for (Map.Entry<String, String> p : r.protocol().entrySet()) {
      if (all.stream().anyMatch(o -> o.benchmark().equals(r.benchmark()) && !p.getValue().equals(o.protocol().get(p.getKey())))) {
        parts.add(p.getKey() + "=" + p.getValue());
      }
    }
    return "[" + String.join(", ", parts) + "]";
  }
}
