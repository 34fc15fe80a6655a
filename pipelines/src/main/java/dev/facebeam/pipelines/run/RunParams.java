package dev.facebeam.pipelines.run;

/**
 * What {@code run} is asked: the config, the work folder, the stages (a comma list), where to rerun
 * from, whether to force, the results store (null: beside the work folder) and the store's other
 * models to show in report.html (a comma list, may be null).
 */
public record RunParams(String config, String workdir, String stages, String from, boolean force, String results, String models) {
  public static final String STAGES = "ingest,embed,verify,megaface,ijb";

  public static RunParams of(RunOptions o) {
    return new RunParams(o.getConfig(), o.getWorkdir(), o.getStages(), o.getFrom(), o.getForce(), o.getResults(), o.getModels());
  }
}
