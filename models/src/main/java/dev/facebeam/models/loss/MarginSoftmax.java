package dev.facebeam.models.loss;

import static dev.facebeam.models.OwnedArrays.scalar;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * The classification head and loss of InsightFace's {@code train.py} (docs/training.md), as a function of
 * the embedding x (B × E), the fc7 weight W (C × E) and the labels, so that autograd carries the
 * gradient through every step exactly as MXNet's graph does:
 * <ul>
 *   <li>{@code softmax}: logits = x·Wᵀ (+ b), nothing normalised;</li>
 *   <li>margin losses: logits = s·cos θ_j with x and the rows of W L2-normalised; the target logit
 *       becomes s·(cos(m1·θ_y + m2) − m3) — nsoftmax (1, 0, 0), ArcFace (1, 0.5, 0), CosFace
 *       (1, 0, 0.35, a plain subtraction), combined (m1, m2, m3). No easy margin, no θ + m > π
 *       fallback, no clipping before arccos: the 2019 code has none.</li>
 * </ul>
 * The loss is the mean over the batch of −log softmax(logits)[y].
 */
public record MarginSoftmax(boolean margin, float s, float m1, float m2, float m3) {

  public static MarginSoftmax softmax() {
    return new MarginSoftmax(false, 1, 1, 0, 0);
  }

  public static MarginSoftmax of(float s, float m1, float m2, float m3) {
    return new MarginSoftmax(true, s, m1, m2, m3);
  }

  public static MarginSoftmax arcFace() {
    return of(64, 1, 0.5f, 0);
  }

  public static MarginSoftmax cosFace() {
    return of(64, 1, 0, 0.35f);
  }

  /** Logits (B × C); {@code bias} may be null (fc7_no_bias, and always for margin losses). */
  public NDArray logits(NDArray x, NDArray weight, NDArray bias, NDArray labels) {
    return margin ? logitsOf(x, weight, bias, labels.toType(DataType.INT64, false).oneHot((int) weight.getShape().get(0))
        .toType(DataType.FLOAT32, false)) : logitsOf(x, weight, bias, null);
  }

  /**
   * The same with the target given as a B × C 0/1 mask ({@code oneHot}): a row of zeros leaves that
   * sample's logits without margin, as in a classifier shard that does not hold its class.
   */
  public NDArray logitsOf(NDArray x, NDArray weight, NDArray bias, NDArray oneHot) {
    if (!margin) {
      NDArray wt = weight.transpose();
      wt.attach(x.getManager());
      NDArray z = x.matMul(wt);
      return bias == null ? z : z.add(bias);
    }
    NDArray xn = x.div(x.norm(new int[] {1}, true));
    // An op's result belongs to its first operand's manager: W's (the model's, alive for the whole
    // run) would collect a C × E copy per step. Hand the normalised W to the batch's manager.
    NDArray wNorm = weight.norm(new int[] {1}, true);
    wNorm.attach(x.getManager());
    NDArray wn = weight.div(wNorm);
    wn.attach(x.getManager());
    NDArray cos = xn.matMul(wn.transpose());
    if (m1 == 1 && m2 == 0 && m3 == 0) {
      return cos.mul(scalar(cos, s));
    }
    if (m1 == 1 && m2 == 0) {
      return cos.sub(oneHot.mul(scalar(oneHot, m3))).mul(scalar(cos, s));
    }
    NDArray target = cos.mul(oneHot).sum(new int[] {1}, true);
    NDArray theta = target.acos();
    if (m1 != 1) {
      theta = theta.mul(scalar(theta, m1));
    }
    if (m2 > 0) {
      theta = theta.add(scalar(theta, m2));
    }
    NDArray adjusted = theta.cos();
    if (m3 > 0) {
      adjusted = adjusted.sub(scalar(adjusted, m3));
    }
    return cos.add(oneHot.mul(adjusted.sub(target))).mul(scalar(cos, s));
  }

  /** Mean cross-entropy of the logits against the labels. */
  public static NDArray crossEntropy(NDArray logits, NDArray labels) {
    NDArray logp = logits.logSoftmax(1);
    NDArray picked = logp.mul(labels.toType(DataType.INT64, false).oneHot((int) logits.getShape().get(1)).toType(DataType.FLOAT32, false));
    NDArray sum = picked.sum().neg();
    return sum.div(scalar(sum, logits.getShape().get(0)));
  }

  public NDArray loss(NDArray x, NDArray weight, NDArray bias, NDArray labels) {
    return crossEntropy(logits(x, weight, bias, labels), labels);
  }
}
