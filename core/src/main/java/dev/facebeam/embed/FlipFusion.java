package dev.facebeam.embed;

/**
 * InsightFace's flip fusion (docs/verification.md, docs/decisions.md): e = e(original) + e(mirrored), then L2-normalised.
 * The raw norms are kept for XNorm. A NaN or a zero vector is refused, never divided by.
 */
public final class FlipFusion {
  private FlipFusion() {}

  /** A fused embedding and the raw norms; or why there is none. */
  public record Fused(float[] vector, float normOriginal, float normFlipped) {}

  public static final class BadEmbedding extends Exception {
    public BadEmbedding(String message) {
      super(message);
    }
  }

  /** {@code flipped} may be null (no fusion: the original alone, normalised). */
  public static Fused fuse(float[] original, float[] flipped) throws BadEmbedding {
    check(original, "original");
    double no = norm(original);
    double nf = 0;
    float[] sum = original.clone();
    if (flipped != null) {
      check(flipped, "mirrored");
      if (flipped.length != original.length) {
        throw new BadEmbedding("original and mirrored embeddings differ in size");
      }
      nf = norm(flipped);
      for (int i = 0; i < sum.length; i++) {
        sum[i] += flipped[i];
      }
    }
    double n = norm(sum);
    if (!(n > 0) || !Double.isFinite(n)) {
      throw new BadEmbedding("zero-norm embedding: cannot be normalised");
    }
    float[] out = new float[sum.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) (sum[i] / n);
    }
    return new Fused(out, (float) no, (float) nf);
  }

  private static void check(float[] v, String which) throws BadEmbedding {
    for (float f : v) {
      if (!Float.isFinite(f)) {
        throw new BadEmbedding("the " + which + " embedding holds NaN or infinity");
      }
    }
  }

  static double norm(float[] v) {
    double s = 0;
    for (float f : v) {
      s += (double) f * f;
    }
    return Math.sqrt(s);
  }
}
