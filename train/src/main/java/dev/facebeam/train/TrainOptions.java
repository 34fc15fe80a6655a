package dev.facebeam.train;

import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/**
 * Options of {@code train}; any other {@code --name=value} on the command line overrides the config
 * field of that name (the runner collects them into {@link #getOverrides()}).
 */
public interface TrainOptions extends PipelineOptions {
  @Description("Training config (JSON, validated by facebeam/train.schema.json); presets in configs/")
  @Validation.Required
  String getConfig();

  void setConfig(String value);

  @Description("InsightFace dataset folder: train.rec, train.idx, property, and <target>.bin verification packs")
  @Validation.Required
  String getDataset();

  void setDataset(String value);

  @Description("Output folder: config.json, metrics.jsonl, model-NNNN/ checkpoints")
  @Validation.Required
  String getOutput();

  void setOutput(String value);

  @Description("Config overrides as name=value lines (filled from the command line's other --name=value)")
  String getOverrides();

  void setOverrides(String value);
}
