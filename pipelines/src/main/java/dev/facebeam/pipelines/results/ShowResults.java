package dev.facebeam.pipelines.results;

import dev.facebeam.UserInputException;
import dev.facebeam.config.Options;
import dev.facebeam.io.OutputGuard;
import dev.facebeam.pipelines.stage.StageLayout;
import dev.facebeam.pipelines.stage.StagePaths;
import dev.facebeam.results.BenchmarkTable;
import dev.facebeam.results.Comparison;
import dev.facebeam.results.Metric;
import dev.facebeam.results.ResultRecord;
import dev.facebeam.results.ResultsStore;
import dev.facebeam.results.Selection;
import dev.facebeam.results.TableText;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/** {@code results}: the results store as the seed's table, a comparison of two models, or a report across models (docs/results.md). */
public final class ShowResults {
  private ShowResults() {}

  /** The command line's results: its options made into parameters once. */
  public static String run(ShowResultsOptions o) {
    if (o.getResults() == null) {
      throw new UserInputException("--results", "name the results store folder (the scoring commands write facebeam-results"
          + " beside their output)");
    }
    String format = o.getFormat() == null || o.getFormat().equals(StageLayout.AUTO_FORMAT) ? "md" : o.getFormat();
    if (!List.of("md", "html", "csv", "json").contains(format)) {
      throw new UserInputException("--format", "unknown format '" + format + "' (md, html, csv, json)");
    }
    return run(new ShowResultsParams(Path.of(o.getResults()), Options.list(o.getModels()), Options.list(o.getBenchmarks()),
        Metric.parse("--metric", o.getMetric()), format, o.getCompare() == null ? null : Options.list(o.getCompare()), StagePaths.given(o.getReport())));
  }

  /** The text to print; with a report folder, the report is written first. */
  public static String run(ShowResultsParams p) {
    ResultsStore store = ResultsStore.existing("--results", p.results().toString());
    Path report = p.report() == null ? null : OutputGuard.folder("--report", p.report().toString(), "results-report", List.of(store.dir()));
    List<ResultRecord> records = Selection.records(store.records(), p.models(), p.benchmarks());
    BenchmarkTable table = BenchmarkTable.of(records, p.metric());
    if (report != null) {
      try {
        Path dir = OutputGuard.claim("--report", p.report().toString(), "results-report", List.of(store.dir()));
        ResultsReport.write(dir, records, new ResultsReport.Page("facebeam results", "<p>From the results store <code>"
            + TableText.esc(store.dir().toString()) + "</code>.</p>\n", List.of()));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the report: " + e.getMessage(), e);
      }
    }
    if (p.compare() != null) {
      if (!p.format().equals("md")) {
        throw new UserInputException("--format", "--compare prints Markdown only");
      }
      return Comparison.of(table, p.compare(), "--compare").markdown();
    }
    return switch (p.format()) {
      case "html" -> TableText.htmlPage(table);
      case "csv" -> TableText.csv(table);
      case "json" -> TableText.json(table);
      default -> TableText.markdown(table);
    };
  }
}
