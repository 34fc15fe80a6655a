package dev.facebeam.pipelines.ijb;

import dev.facebeam.pipelines.results.ResultsOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/** Options of the {@code ijb} stage. */
public interface IjbOptions extends ResultsOptions {
  String MODE = "N1D1F2";

  @Description("The IJBB or IJBC testsuite folder (with meta/<t>_name_5pts_score.txt, _face_tid_mid.txt, _template_pair_label.txt)")
  @Validation.Required
  String getInput();

  void setInput(String value);

  @Description("The embed stage's output of an ingested IJB testsuite (ingest --format=ijb): each face's original and "
      + "mirrored embeddings (or --featuresNpy)")
  String getEmbeddings();

  void setEmbeddings(String value);

  @Description("Image features as .npy instead of --embeddings, one float32 row per line of <t>_name_5pts_score.txt: "
      + "[original | mirrored] (N x 2d, as InsightFace's scripts hold them), or N x d with --fused=true")
  String getFeaturesNpy();

  void setFeaturesNpy(String value);

  @Description("Compare methods instead: pair scores as .npy files (comma-separated; 1-D, in pair-file order, as ijb "
      + "writes scores.npy or InsightFace's scripts save them), drawn in one ROC and one table")
  String getScoresNpy();

  void setScoresNpy(String value);

  @Description("With --scoresNpy: the methods' names, comma-separated (default: the file names)")
  String getLabels();

  void setLabels(String value);

  @Description("The features are already one vector per face (N x d): the F part of --mode does not apply")
  @Default.Boolean(false)
  boolean getFused();

  void setFused(boolean value);

  @Description("Output folder: report.json, report.md, scores.npy (float32, pair-file order), roc.png and manifest.json")
  @Validation.Required
  String getOutput();

  void setOutput(String value);

  @Description("N1|N0 (keep or remove the feature norm), D1|D0 (faceness weight), F2|F0 (add the mirrored face)")
  @Default.String(MODE)
  String getMode();

  void setMode(String value);

  @Description("IJBB or IJBC (default: told by the meta files)")
  String getTarget();

  void setTarget(String value);

  @Description("Name of the method in the report's table (default: the feature file's name)")
  String getMethod();

  void setMethod(String value);
}
