package dev.facebeam.pipelines.evaluate;

import dev.facebeam.pipelines.embed.ModelParams;

/**
 * What evaluate reads and writes: the dataset folder, the model, how to run it, the output, the
 * targets (a comma list), an optional IJB testsuite and the results store (null: beside the output).
 */
public record EvaluateParams(String dataset, String model, ModelParams settings, String output, String targets, String ijb, String results) {
  public static final String TARGETS = "lfw,cfp_ff,cfp_fp,agedb_30,calfw,cplfw,vgg2_fp";

  public static EvaluateParams of(EvaluateOptions o) {
    return new EvaluateParams(o.getDataset(), o.getModel(), ModelParams.of(o), o.getOutput(), o.getTargets(), o.getIjb(), o.getResults());
  }
}
