package dev.facebeam.pipelines.embed;

import dev.facebeam.embed.ModelSpec;

/**
 * How a model is run, as values: engine, flip fusion, batch, device and the descriptor overrides.
 * Made once from {@link ModelOptions} at the command line, or from a {@code run} config.
 */
public record ModelParams(String engine, boolean flip, int batchSize, String device, Float mean, Float scale,
    String channelOrder, Integer inputSize) {
  public static final String ENGINE = "auto";
  public static final int BATCH_SIZE = 64;
  public static final String DEVICE = "cpu";

  /** Every setting at its default: the descriptor decides, flip on, 64 per batch, CPU. */
  public static final ModelParams DEFAULTS = new ModelParams(ENGINE, true, BATCH_SIZE, DEVICE, null, null, null, null);

  public static ModelParams of(ModelOptions o) {
    return new ModelParams(o.getEngine(), o.getFlip(), o.getBatchSize(), o.getDevice(), o.getMean(), o.getScale(),
        o.getChannelOrder(), o.getInputSize());
  }

  /** The settings that override the model's descriptor. */
  public ModelSpec.Overrides overrides() {
    return new ModelSpec.Overrides(engine, inputSize, mean, scale, channelOrder);
  }
}
