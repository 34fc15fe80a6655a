package dev.facebeam.pipelines.pack;

import dev.facebeam.pipelines.stage.StageLayout;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/** Options of the {@code pack} command, which writes a .rec or a .bin from any readable pack. */
public interface PackOptions extends PipelineOptions {
  int PROTOCOL = 4;
  String ELEMENTS = "bytes";
  int QUALITY = 95;

  @Description("The pack or image folder to read (any format ingest reads)")
  @Validation.Required
  String getInput();

  void setInput(String value);

  @Description("FILE.rec (with FILE.idx and a property file beside it) or FILE.bin")
  @Validation.Required
  String getOutput();

  void setOutput(String value);

  @Description("Input format: auto|rec|bin|megaface|lst|folder")
  @Default.String(StageLayout.AUTO_FORMAT)
  String getFormat();

  void setFormat(String value);

  @Description("For .bin: a text file of pairs, one per line: <imageA> <imageB> <1|0>, images named by their path "
      + "inside the input pack (or their record id)")
  String getPairs();

  void setPairs(String value);

  @Description("For .bin: pickle protocol 2 to 5 (2 as released InsightFace packs; numpy elements 2 to 4); the bytes CPython writes")
  @Default.Integer(PROTOCOL)
  int getProtocol();

  void setProtocol(int value);

  @Description("For .bin: store each image as 'bytes' or as a numpy uint8 array ('numpy', as cv2.imencode packs do)")
  @Default.String(ELEMENTS)
  String getElements();

  void setElements(String value);

  @Description("For .rec: write InsightFace's header record 0 and one identity record per label (needs labels)")
  @Default.Boolean(true)
  boolean getHeader();

  void setHeader(boolean value);

  @Description("JPEG quality for faces that had to be aligned (already aligned images keep their bytes)")
  @Default.Integer(QUALITY)
  int getQuality();

  void setQuality(int value);

  @Description("Folder that the paths of a .lst are resolved in (default: the list's own folder)")
  String getImageRoot();

  void setImageRoot(String value);
}
