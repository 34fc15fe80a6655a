package dev.facebeam.pipelines.embed;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** How a model is run: shared by {@code embed} and {@code evaluate}. */
public interface ModelOptions extends PipelineOptions {
  String ENGINE = "auto";
  int BATCH_SIZE = 64;
  String DEVICE = "cpu";

  @Description("auto|PyTorch|OnnxRuntime (auto: from the descriptor, else from the file name)")
  @Default.String(ENGINE)
  String getEngine();

  void setEngine(String value);

  @Description("Flip fusion: embed the mirrored face too, sum, L2-normalise (InsightFace's Accuracy-Flip)")
  @Default.Boolean(true)
  boolean getFlip();

  void setFlip(boolean value);

  @Description("Images per forward pass (a model whose graph fixes the batch is fed that size instead)")
  @Default.Integer(BATCH_SIZE)
  int getBatchSize();

  void setBatchSize(int value);

  @Description("cpu, gpu (every visible GPU, one predictor each) or gpu:K")
  @Default.String(DEVICE)
  String getDevice();

  void setDevice(String value);

  @Description("Override the descriptor: pixel mean subtracted before scaling (InsightFace: 127.5)")
  Float getMean();

  void setMean(Float value);

  @Description("Override the descriptor: scale applied after the mean (InsightFace: 0.0078125 = 1/128)")
  Float getScale();

  void setScale(Float value);

  @Description("Override the descriptor: RGB or BGR")
  String getChannelOrder();

  void setChannelOrder(String value);

  @Description("Override the descriptor: the network's input side in pixels")
  Integer getInputSize();

  void setInputSize(Integer value);
}
