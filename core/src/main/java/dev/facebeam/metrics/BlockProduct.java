package dev.facebeam.metrics;

/**
 * The scores of two blocks of rows, x (bx × d) against y (by × d): bx × by float32 dot products,
 * row-major. A fast product may sum in any order (a BLAS blocks and vectorises as it likes); it
 * states how far its score can be from {@link #canonical} — the one score every report is made of —
 * so a caller rescores only the pairs whose fast score cannot decide (docs/allpairs.md, "Two kernels").
 */
public interface BlockProduct extends AutoCloseable {
  /** Scores into an array the product may reuse: valid until its next call. */
  float[] scores(float[] x, int bx, float[] y, int by, int d);

  /**
   * The most a score may differ from the canonical one for rows whose Euclidean norms multiply to at
   * most {@code norms}: 0 where the product is the canonical kernel itself.
   */
  double bound(int d, double norms);

  @Override
  default void close() {}

  /**
   * The canonical score: a float32 dot product in eight lanes (k mod 8, remainder into lane 0)
   * summed as ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7)). Java rounds every operation
   * (no fused multiply-add), so every JVM on every machine gives the same bits.
   */
  static float canonical(float[] x, int xo, float[] y, int yo, int d) {
    float a0 = 0f;
    float a1 = 0f;
    float a2 = 0f;
    float a3 = 0f;
    float a4 = 0f;
    float a5 = 0f;
    float a6 = 0f;
    float a7 = 0f;
    int k = 0;
    for (; k + 8 <= d; k += 8) {
      a0 += x[xo + k] * y[yo + k];
      a1 += x[xo + k + 1] * y[yo + k + 1];
      a2 += x[xo + k + 2] * y[yo + k + 2];
      a3 += x[xo + k + 3] * y[yo + k + 3];
      a4 += x[xo + k + 4] * y[yo + k + 4];
      a5 += x[xo + k + 5] * y[yo + k + 5];
      a6 += x[xo + k + 6] * y[yo + k + 6];
      a7 += x[xo + k + 7] * y[yo + k + 7];
    }
    for (; k < d; k++) {
      a0 += x[xo + k] * y[yo + k];
    }
    return ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7));
  }

  /**
   * How far any float32 evaluation of a d-term dot product can be from the exact one, doubled (two
   * evaluations, each within it of the exact value): γ·Σ|x_k·y_k| ≤ γ·‖x‖·‖y‖ with γ = n·u / (1 − n·u),
   * u = 2⁻²⁴, n = d + 8 (covers recursive, blocked and lane-wise sums, with or without fused
   * multiply-adds), plus what flushing subnormals can lose; padded by one part in a million.
   */
  static double anyOrderBound(int d, double norms) {
    double nu = (d + 8) * 0x1p-24;
    double gamma = nu / (1 - nu);
    return (2 * gamma * norms + 4.0 * (d + 8) * 0x1p-126) * (1 + 1e-6);
  }

  /** The canonical kernel, pair by pair: the reference, and the fallback where no engine is wanted. */
  final class Canonical implements BlockProduct {
    private float[] out = new float[0];

    @Override
    public float[] scores(float[] x, int bx, float[] y, int by, int d) {
      if (out.length < bx * by) {
        out = new float[bx * by];
      }
      for (int i = 0; i < bx; i++) {
        for (int j = 0; j < by; j++) {
          out[i * by + j] = canonical(x, i * d, y, j * d, d);
        }
      }
      return out;
    }

    @Override
    public double bound(int d, double norms) {
      return 0;
    }
  }
}
