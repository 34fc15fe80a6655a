package dev.facebeam.metrics;

/**
 * InsightFace's XNorm ({@code verification.py}): the mean L2 norm over every raw embedding it
 * computed for a pack — the original images' and, with flip, the mirrored images' too
 * (docs/verification.md). Training's verification and the {@code verify} stage both count through
 * this, so they report the same number for the same embeddings.
 */
public final class XNorm {
  private double sum;
  private long count;

  /** One image: the raw norm of its original embedding, and of its mirror's when flip is on. */
  public void add(double normOriginal, boolean flip, double normFlipped) {
    sum += normOriginal;
    count++;
    if (flip) {
      sum += normFlipped;
      count++;
    }
  }

  public double mean() {
    return count == 0 ? Double.NaN : sum / count;
  }
}
