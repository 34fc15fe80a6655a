package dev.facebeam.pipelines.evaluate;

import dev.facebeam.pipelines.embed.ModelOptions;
import dev.facebeam.pipelines.results.ResultsOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/** Options of {@code evaluate}: ingest → embed → verify for every verification pack of a dataset folder. */
public interface EvaluateOptions extends ModelOptions, ResultsOptions {
  String TARGETS = "lfw,cfp_ff,cfp_fp,agedb_30,calfw,cplfw,vgg2_fp";

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
  @Default.String(TARGETS)
  String getTargets();

  void setTargets(String value);

  @Description("Also an IJB-B or IJB-C testsuite folder: ingested, embedded and scored as ijb does; its column is TAR at FAR=1e-4")
  String getIjb();

  void setIjb(String value);
}
