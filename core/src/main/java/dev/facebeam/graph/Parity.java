package dev.facebeam.graph;

/**
 * How far an exported graph's embeddings are from the checkpoint's (docs/export.md): per image the
 * cosine of the two vectors and the largest absolute difference relative to the checkpoint
 * vector's norm; the worst over every image checked.
 */
public record Parity(int images, double minCosine, double maxRelativeDifference) {
  /** The bounds an export must keep. */
  public static final double MIN_COSINE = 0.99999;
  public static final double MAX_RELATIVE = 1e-4;

  public static final Parity NONE = new Parity(0, 1, 0);

  public boolean holds() {
    return images > 0 && minCosine >= MIN_COSINE && maxRelativeDifference <= MAX_RELATIVE;
  }

  /** This parity with {@code batch} rows of {@code reference} (the checkpoint) and {@code exported} (the graph), each of {@code d} values. */
  public Parity with(float[] reference, float[] exported, int batch, int d) {
    double cos = minCosine;
    double rel = maxRelativeDifference;
    for (int r = 0; r < batch; r++) {
      double dot = 0;
      double na = 0;
      double nb = 0;
      double max = 0;
      for (int k = 0; k < d; k++) {
        double a = reference[r * d + k];
        double b = exported[r * d + k];
        dot += a * b;
        na += a * a;
        nb += b * b;
        max = Math.max(max, Math.abs(a - b));
      }
      double c = na == 0 && nb == 0 ? 1 : dot / Math.sqrt(na * nb);
      cos = Math.min(cos, Double.isNaN(c) ? -1 : c);
      rel = Math.max(rel, na == 0 ? (max == 0 ? 0 : Double.POSITIVE_INFINITY) : max / Math.sqrt(na));
    }
    return new Parity(images + batch, cos, rel);
  }

  @Override
  public String toString() {
    return String.format(java.util.Locale.ROOT, "%d images: cosine ≥ %.8f (bound %.5f), max |Δ|/‖e‖ = %.3g (bound %.0e)",
        images, minCosine, MIN_COSINE, maxRelativeDifference, MAX_RELATIVE);
  }
}
