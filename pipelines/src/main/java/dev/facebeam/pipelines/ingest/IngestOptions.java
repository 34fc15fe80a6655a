package dev.facebeam.pipelines.ingest;

import dev.facebeam.pipelines.stage.StageLayout;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/** Options of the {@code ingest} stage. */
public interface IngestOptions extends PipelineOptions {
  int RECORDS_PER_SHARD = 4000;

  @Description("The pack to read: a .rec (or a dataset folder with train.rec, train.idx, property), a verification .bin, "
      + "a MegaFace pack folder, an IJB-B/IJB-C testsuite folder, an image .lst, or a folder with one sub-folder per identity")
  @Validation.Required
  String getInput();

  void setInput(String value);

  @Description("Output folder: shards of framed FaceRecord protobufs, rejects.jsonl, pairs.pb for .bin packs, "
      + "and manifest.json, committed atomically")
  @Validation.Required
  String getOutput();

  void setOutput(String value);

  @Description("Pack format: auto|rec|bin|megaface|lst|folder|ijb (auto recognises it from the files)")
  @Default.String(StageLayout.AUTO_FORMAT)
  String getFormat();

  void setFormat(String value);

  @Description("Also write every aligned 112x112 crop as a PNG file named <record id>.png into this folder")
  String getExportImages();

  void setExportImages(String value);

  @Description("Folder that the paths of a .lst are resolved in and may not leave (default: the list's own folder)")
  String getImageRoot();

  void setImageRoot(String value);

  @Description("Faces per task and output shard (.rec, .lst, folder, MegaFace, IJB; a .bin is cut into at most 8 ranges): "
      + "the unit a worker asks for and writes, one face in memory at a time")
  @Default.Integer(RECORDS_PER_SHARD)
  int getRecordsPerShard();

  void setRecordsPerShard(int value);
}
