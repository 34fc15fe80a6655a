package dev.facebeam.pipelines.verify;

import dev.facebeam.pipelines.results.ResultsOptions;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/** Options of the {@code verify} stage. */
public interface VerifyOptions extends ResultsOptions {
  @Description("The embed stage's output for a verification pack (with pairs.pb)")
  @Validation.Required
  String getEmbeddings();

  void setEmbeddings(String value);

  @Description("Output folder: report.json, report.md, roc.png and manifest.json")
  @Validation.Required
  String getOutput();

  void setOutput(String value);

  @Description("Name of the target in the report (default: the pack's file name, e.g. lfw)")
  String getTarget();

  void setTarget(String value);
}
