package dev.facebeam.pipelines;

/** What evaluate reads and writes: the dataset folder, the model, how to run it, the output, the targets (a comma list) and an optional IJB testsuite. */
public record EvaluateParams(String dataset, String model, ModelParams settings, String output, String targets, String ijb) {
  public static final String TARGETS = "lfw,cfp_ff,cfp_fp,agedb_30,calfw,cplfw,vgg2_fp";

  public static EvaluateParams of(EvaluateOptions o) {
    return new EvaluateParams(o.getDataset(), o.getModel(), ModelParams.of(o), o.getOutput(), o.getTargets(), o.getIjb());
  }
}
