package dev.facebeam.pipelines;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/** Options of {@code evaluate}: ingest → embed → verify for every verification pack of a dataset folder. */
public interface EvaluateOptions extends PipelineOptions {
  @Description("Folder holding <target>.bin verification packs (lfw.bin, cfp_fp.bin, agedb_30.bin, …)")
  @Validation.Required
  String getDataset();

  void setDataset(String value);

  @Description("The model (as for embed)")
  @Validation.Required
  String getModel();

  void setModel(String value);

  @Description("Output folder: <target>/{ingest,embed,verify}, results.md and results.json (rows accumulate per model)")
  @Validation.Required
  String getOutput();

  void setOutput(String value);

  @Description("Targets to look for, in table order")
  @Default.String("lfw,cfp_ff,cfp_fp,agedb_30,calfw,cplfw,vgg2_fp")
  String getTargets();

  void setTargets(String value);

  @Description("auto|PyTorch|OnnxRuntime (auto: from the descriptor, else from the file name)")
  @Default.String("auto")
  String getEngine();

  void setEngine(String value);

  @Description("Images per forward pass (a model whose graph fixes the batch is fed that size instead)")
  @Default.Integer(64)
  int getBatchSize();

  void setBatchSize(int value);

  @Description("cpu, gpu (every visible GPU, one predictor each) or gpu:K")
  @Default.String("cpu")
  String getDevice();

  void setDevice(String value);

  @Description("Override the descriptor: pixel mean subtracted before scaling (InsightFace: 127.5)")
  Float getMean();

  void setMean(Float value);

  @Description("Override the descriptor: scale applied after the mean (InsightFace: 0.0078125 = 1/128)")
  Float getScale();

  void setScale(Float value);
}
