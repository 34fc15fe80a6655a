package dev.facebeam.pipelines.export;

import dev.facebeam.pipelines.stage.StageLayout;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/** Options of {@code export}: a checkpoint of train's networks as an ONNX graph or a TorchScript archive, parity proved (docs/export.md). */
public interface ExportOptions extends PipelineOptions {
  @Description("The checkpoint: a model folder train wrote (model.json + .params), or its model.json")
  @Validation.Required
  String getModel();

  void setModel(String value);

  @Description("The file to write: FILE.onnx or FILE.pt (and FILE.onnx.manifest.json or FILE.pt.manifest.json beside it)")
  @Validation.Required
  String getOutput();

  void setOutput(String value);

  // Beam keeps one default per option name across commands, and pack's and ingest's --format is "auto": here auto = by the output's name.
  @Description("onnx or torchscript (default: auto = by --output's name: *.pt, *.pth, *.torchscript → torchscript, else onnx)")
  @Default.String(StageLayout.AUTO_FORMAT)
  String getFormat();

  void setFormat(String value);

  @Description("ONNX opset, 11 to 17 (onnx only)")
  @Default.Integer(13)
  int getOpset();

  void setOpset(int value);

  @Description("The graph's batch dimension: dynamic, or a fixed size N (onnx only; a TorchScript archive runs any batch)")
  @Default.String("dynamic")
  String getBatch();

  void setBatch(String value);

  @Description("A folder of face images for the parity check, beside the random tensors (up to 8, with their mirrors)")
  String getFaces();

  void setFaces(String value);
}
