package dev.facebeam.pipelines;

/** What {@code run} is asked: the config, the work folder, the stages (a comma list), where to rerun from, and whether to force. */
public record RunParams(String config, String workdir, String stages, String from, boolean force) {
  public static final String STAGES = "ingest,embed,verify,megaface,ijb";

  public static RunParams of(RunOptions o) {
    return new RunParams(o.getConfig(), o.getWorkdir(), o.getStages(), o.getFrom(), o.getForce());
  }
}
