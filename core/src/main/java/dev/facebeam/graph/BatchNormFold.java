package dev.facebeam.graph;

/**
 * The arithmetic of folding an inference-mode BatchNorm into the convolution or FC before it
 * (docs/export.md): with s = γ / √(σ² + ε) per output channel, W' = W·s and b' = β − μ·s + b·s.
 * σ² + ε in float32 before the square root, as PyTorch computes it; the rest in double.
 */
public final class BatchNormFold {
  private BatchNormFold() {}

  /** {@code weight}: output channel first; {@code bias} may be null. Returns {W', b'}. */
  public static float[][] fold(float[] weight, float[] bias, float[] gamma, float[] beta, float[] mean, float[] var, float eps) {
    int per = weight.length / gamma.length;
    float[] fw = new float[weight.length];
    float[] fb = new float[gamma.length];
    for (int c = 0; c < gamma.length; c++) {
      double s = gamma[c] / Math.sqrt((float) (var[c] + eps));
      for (int k = 0; k < per; k++) {
        fw[c * per + k] = (float) (weight[c * per + k] * s);
      }
      fb[c] = (float) (beta[c] - mean[c] * s + (bias == null ? 0 : bias[c]) * s);
    }
    return new float[][] {fw, fb};
  }
}
