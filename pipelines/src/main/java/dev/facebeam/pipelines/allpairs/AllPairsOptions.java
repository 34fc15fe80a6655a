package dev.facebeam.pipelines.allpairs;

import dev.facebeam.pipelines.results.ResultsOptions;
import dev.facebeam.pipelines.stage.StageLayout;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/** Options of the {@code all-pairs} stage: every image of a labelled set against every other (IFRT's 1:1). */
public interface AllPairsOptions extends PipelineOptions, ResultsOptions {
  int BLOCK_ROWS = 1024;
  String KERNEL = "blas";

  @Description("The embed stage's output of an ingested labelled pack (.rec, identity folders, a labelled .lst): each"
      + " embedding with its label; or give --embeddingsNpy and --labels")
  String getEmbeddings();

  void setEmbeddings(String value);

  @Description("The embeddings as a float32/float64 .npy matrix (images × d), row i ↔ line i of --labels")
  String getEmbeddingsNpy();

  void setEmbeddingsNpy(String value);

  @Description("With --embeddingsNpy: one identity label (an integer) per line, line i for row i")
  String getLabels();

  void setLabels(String value);

  @Description("Optional: '<image>\\t<group>' per line (e.g. the race of each image), the image a row number of --embeddingsNpy or a"
      + " record id or relative path of --embeddings: each group's all-to-all numbers beside all images'")
  String getGroups();

  void setGroups(String value);

  @Description("Optional, cross mode: one image per line (a row number of --embeddingsNpy, or a record id or relative path of"
      + " --embeddings), e.g. the masked faces: only pairs of one of these and one other image count")
  String getQueries();

  void setQueries(String value);

  @Description("Optional: the benchmark's name in the results store (default: the embeddings' folder or file name)")
  String getBenchmark();

  void setBenchmark(String value);

  @Description("Target FARs (e.g. 1e-6,1e-5,1e-4,1e-3,1e-2,1e-1): for each, the highest TAR at FAR ≤ it on the exact ROC over every pair")
  @Default.String(StageLayout.FAR_TARGETS)
  String getFar();

  void setFar(String value);

  @Description("Rows per block side: a block (rows × rows pairs) is the unit of work handed to a worker")
  @Default.Integer(BLOCK_ROWS)
  int getBlockRows();

  void setBlockRows(int value);

  @Description("How blocks are scored: blas (the engine's matrix product; pairs it cannot decide are rescored by the"
      + " canonical kernel) or canonical (the canonical kernel alone: no native library, slower); the numbers are the same")
  @Default.String(KERNEL)
  String getKernel();

  void setKernel(String value);

  @Description("Output folder: report.json, report.md, roc.png and manifest.json")
  @Validation.Required
  String getOutput();

  void setOutput(String value);
}
