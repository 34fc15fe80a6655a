package dev.facebeam.pipelines;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/** Options of the {@code embed} stage. */
public interface EmbedOptions extends PipelineOptions {
  @Description("The ingest stage's output folder (with its manifest.json)")
  @Validation.Required
  String getRecords();

  void setRecords(String value);

  @Description("The model: an .onnx or TorchScript .pt file (with an optional <file>.json descriptor beside it), "
      + "or a folder with model.json (DJL-native models name their block there)")
  @Validation.Required
  String getModel();

  void setModel(String value);

  @Description("Output folder: embedding shards, rejects.jsonl, pairs.pb (verification packs) and manifest.json")
  @Validation.Required
  String getOutput();

  void setOutput(String value);

  @Description("auto|PyTorch|OnnxRuntime (auto: from the descriptor, else from the file name)")
  @Default.String("auto")
  String getEngine();

  void setEngine(String value);

  @Description("Flip fusion: embed the mirrored face too, sum, L2-normalise (InsightFace's Accuracy-Flip)")
  @Default.Boolean(true)
  boolean getFlip();

  void setFlip(boolean value);

  @Description("Images per forward pass (a model whose graph fixes the batch is fed that size instead)")
  @Default.Integer(64)
  int getBatchSize();

  void setBatchSize(int value);

  @Description("cpu, gpu (every visible GPU, one predictor each) or gpu:K")
  @Default.String("cpu")
  String getDevice();

  void setDevice(String value);

  @Description("Also write embeddings.npy, raw.npy, ids.txt, labels.txt (and issame.txt for .bin packs) into the output")
  @Default.Boolean(false)
  boolean getExportNpy();

  void setExportNpy(boolean value);

  @Description("Also write one MegaFace devkit feature file per image into this folder (<image file>_<algo>.bin)")
  String getExportDevkit();

  void setExportDevkit(String value);

  @Description("Algorithm name in devkit feature file names")
  @Default.String("facebeam")
  String getAlgo();

  void setAlgo(String value);

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

  @Description("Embeddings per output shard")
  @Default.Integer(20000)
  int getEmbeddingsPerShard();

  void setEmbeddingsPerShard(int value);
}
