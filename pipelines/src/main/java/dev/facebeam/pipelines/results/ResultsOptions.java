package dev.facebeam.pipelines.results;

import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** The results store a scoring command adds its numbers to (docs/results.md). */
public interface ResultsOptions extends PipelineOptions {
  @Description("Results store folder: one record per (model, benchmark, parameters); the scoring commands add to it"
      + " (default: facebeam-results beside their output folder), the results command reads it")
  String getResults();

  void setResults(String value);
}
