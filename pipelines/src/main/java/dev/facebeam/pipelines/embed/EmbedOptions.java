package dev.facebeam.pipelines.embed;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/** Options of the {@code embed} stage. */
public interface EmbedOptions extends ModelOptions {
  String ALGO = "facebeam";
  int EMBEDDINGS_PER_SHARD = 20000;

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

  @Description("Also write embeddings.npy, raw.npy, ids.txt, labels.txt (and issame.txt for .bin packs) into the output")
  @Default.Boolean(false)
  boolean getExportNpy();

  void setExportNpy(boolean value);

  @Description("Also write one MegaFace devkit feature file per image into this folder (<image file>_<algo>.bin)")
  String getExportDevkit();

  void setExportDevkit(String value);

  @Description("Algorithm name in devkit feature file names")
  @Default.String(ALGO)
  String getAlgo();

  void setAlgo(String value);

  @Description("Embeddings per output shard")
  @Default.Integer(EMBEDDINGS_PER_SHARD)
  int getEmbeddingsPerShard();

  void setEmbeddingsPerShard(int value);
}
