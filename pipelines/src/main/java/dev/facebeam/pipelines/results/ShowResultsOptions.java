package dev.facebeam.pipelines.results;

import dev.facebeam.pipelines.stage.StageLayout;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/** Options of the {@code results} command: which rows, columns and number to show, and how. */
public interface ShowResultsOptions extends ResultsOptions {
  @Description("Models to show (comma list: names, row labels or SHA-256 prefixes; default: all)")
  String getModels();

  void setModels(String value);

  @Description("Benchmarks to show (comma list, e.g. lfw,cfp_fp,megaface; default: all)")
  String getBenchmarks();

  void setBenchmarks(String value);

  @Description("The number in every cell: accuracy_flip, accuracy, val, xnorm, rank1, tar@1e-6 … tar@1e-1"
      + " (default: each benchmark's headline — Accuracy-Flip, MegaFace rank-1, IJB TAR@1e-4)")
  String getMetric();

  void setMetric(String value);

  // Beam keeps one default per option name across commands, and pack's and ingest's --format is "auto": here auto = md.
  @Description("md, html, csv or json (default: auto = md)")
  @Default.String(StageLayout.AUTO_FORMAT)
  String getFormat();

  void setFormat(String value);

  @Description("Two models side by side (A,B): B − A per benchmark and whether it exceeds the fold std")
  String getCompare();

  void setCompare(String value);

  @Description("Also write report.html with the table and every figure (ROC on a log FAR axis, CMC) into this folder")
  String getReport();

  void setReport(String value);
}
