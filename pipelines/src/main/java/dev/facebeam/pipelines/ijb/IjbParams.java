package dev.facebeam.pipelines.ijb;

/** What ijb reads and writes, as values, made once from {@link IjbOptions}. */
public record IjbParams(String input, String embeddings, String featuresNpy, boolean fused, String output, String mode, String target,
    String method, String scoresNpy, String labels) {
  public static final String MODE = "N1D1F2";

  /** An embed output of an ingested testsuite scored in one mode, as {@code run} and {@code evaluate} chain it. */
  public static IjbParams ofEmbedded(java.nio.file.Path root, java.nio.file.Path embeddings, java.nio.file.Path output,
      dev.facebeam.ijb.IjbMode mode, String target) {
    return new IjbParams(root.toString(), embeddings.toString(), null, false, output.toString(), mode.toString(), target, null, null, null);
  }

  public static IjbParams of(IjbOptions o) {
    return new IjbParams(o.getInput(), o.getEmbeddings(), o.getFeaturesNpy(), o.getFused(), o.getOutput(), o.getMode(), o.getTarget(),
        o.getMethod(), o.getScoresNpy(), o.getLabels());
  }
}
