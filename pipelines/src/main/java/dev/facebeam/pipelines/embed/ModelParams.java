package dev.facebeam.pipelines.embed;

import dev.facebeam.embed.ModelSpec;

/**
 * How a model is run, as values: engine, flip fusion, batch, device and the descriptor overrides
 * (null: the descriptor's). Made once from the command line's options by
 * {@link EmbedPipeline#settings}, or from a {@code run} config.
 */
public record ModelParams(String engine, boolean flip, int batchSize, String device, Float mean, Float scale,
    String channelOrder, Integer inputSize) {

  /** The settings that override the model's descriptor. */
  public ModelSpec.Overrides overrides() {
    return new ModelSpec.Overrides(engine, inputSize, mean, scale, channelOrder);
  }
}
