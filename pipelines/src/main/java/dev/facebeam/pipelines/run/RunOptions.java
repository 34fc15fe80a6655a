package dev.facebeam.pipelines.run;

import dev.facebeam.pipelines.results.ResultsOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/** Options of {@code run}: an evaluation described by a config, staged in a work folder. */
public interface RunOptions extends ResultsOptions {
  @Description("Run config (JSON): dataset folder, targets, model, preprocessing; see configs/")
  @Validation.Required
  String getConfig();

  void setConfig(String value);

  @Description("Work folder: <stage>/<target>/ outputs, run-state.json, report.md, report.html")
  @Validation.Required
  String getWorkdir();

  void setWorkdir(String value);

  @Description("Stages to run, in order")
  @Default.String(StageName.ALL)
  String getStages();

  void setStages(String value);

  @Description("Rerun this stage and every later one, from the persisted outputs of the stages before it")
  String getFrom();

  void setFrom(String value);

  @Description("Rerun every selected stage even when its inputs and parameters are unchanged")
  @Default.Boolean(false)
  boolean getForce();

  void setForce(boolean value);

  @Description("Models from the results store to show in report.html beside this run's (comma list: names, row labels or"
      + " SHA-256 prefixes)")
  String getModels();

  void setModels(String value);
}
