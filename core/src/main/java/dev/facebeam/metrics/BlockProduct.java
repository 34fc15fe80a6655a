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
   * The canonical scores of rows {@code xa} and {@code xb} of x against one row of y, into out[at] and
   * out[at + 1]: the same bits as two {@link #canonical} calls, in about half their time (one call is
   * bound by its eight sums' latency; two interleaved keep sixteen in flight and read y once).
   */
  static void canonicalPair(float[] x, int xa, int xb, float[] y, int yo, int d, float[] out, int at) {
    float a0 = 0f;
    float a1 = 0f;
    float a2 = 0f;
    float a3 = 0f;
    float a4 = 0f;
    float a5 = 0f;
    float a6 = 0f;
    float a7 = 0f;
    float b0 = 0f;
    float b1 = 0f;
    float b2 = 0f;
    float b3 = 0f;
    float b4 = 0f;
    float b5 = 0f;
    float b6 = 0f;
    float b7 = 0f;
    int k = 0;
    for (; k + 8 <= d; k += 8) {
      float y0 = y[yo + k];
      float y1 = y[yo + k + 1];
      float y2 = y[yo + k + 2];
      float y3 = y[yo + k + 3];
      float y4 = y[yo + k + 4];
      float y5 = y[yo + k + 5];
      float y6 = y[yo + k + 6];
      float y7 = y[yo + k + 7];
      a0 += x[xa + k] * y0;
      a1 += x[xa + k + 1] * y1;
      a2 += x[xa + k + 2] * y2;
      a3 += x[xa + k + 3] * y3;
      a4 += x[xa + k + 4] * y4;
      a5 += x[xa + k + 5] * y5;
      a6 += x[xa + k + 6] * y6;
      a7 += x[xa + k + 7] * y7;
      b0 += x[xb + k] * y0;
      b1 += x[xb + k + 1] * y1;
      b2 += x[xb + k + 2] * y2;
      b3 += x[xb + k + 3] * y3;
      b4 += x[xb + k + 4] * y4;
      b5 += x[xb + k + 5] * y5;
      b6 += x[xb + k + 6] * y6;
      b7 += x[xb + k + 7] * y7;
    }
    for (; k < d; k++) {
      a0 += x[xa + k] * y[yo + k];
      b0 += x[xb + k] * y[yo + k];
    }
    out[at] = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7));
    out[at + 1] = ((b0 + b1) + (b2 + b3)) + ((b4 + b5) + (b6 + b7));
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
