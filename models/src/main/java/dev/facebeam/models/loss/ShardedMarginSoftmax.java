package dev.facebeam.models.loss;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.facebeam.models.OwnedArrays;
import java.util.List;

/**
 * The classifier sharded by class, as the seed's model-parallel training ({@code train_parall.py})
 * cuts fc7: G contiguous class ranges, each with its weight (and bias) on its own device. Each shard
 * computes its logits for the whole batch — the margin applied in the shard that holds the sample's
 * class — and the softmax is normalised across shards through a per-sample max and sum of
 * exponentials, so only B numbers per shard cross devices, never the C × E weight or B × C logits.
 * The value and the gradients equal {@link MarginSoftmax#loss} over the concatenated weight.
 */
public record ShardedMarginSoftmax(MarginSoftmax head) {

  /** One class range [firstClass, firstClass + rows of weight); bias may be null. */
  public record Shard(NDArray weight, NDArray bias, int firstClass) {
    int classes() {
      return (int) weight.getShape().get(0);
    }
  }

  /** Mean over the batch of −log softmax(logits)[y]; the result lives on x's device. */
  public NDArray loss(NDArray x, List<Shard> shards, NDArray labels) {
    return loss(x, shards, labels, null);
  }

  /**
   * The same over each shard's sampled classes only (Partial FC, {@code samples} one per shard; null:
   * every class): the softmax runs over the sampled logits, and only the sampled rows of a shard's
   * weight (and bias) get a gradient, the others a zero one.
   */
  public NDArray loss(NDArray x, List<Shard> shards, NDArray labels, List<ClassSample> samples) {
    Device home = x.getDevice();
    int b = (int) x.getShape().get(0);
    NDArray[] logits = new NDArray[shards.size()];
    NDArray[] masks = new NDArray[shards.size()];
    NDList maxima = new NDList();
    for (int g = 0; g < shards.size(); g++) {
      Shard s = shards.get(g);
      Device d = s.weight().getDevice();
      NDArray xg = x.toDevice(d, false); // the same array on the same device; a differentiable copy across devices
      NDArray weight = s.weight();
      NDArray bias = s.bias();
      NDArray classes;
      if (samples == null) {
        classes = xg.getManager().arange(s.firstClass(), s.firstClass() + s.classes(), 1, DataType.FLOAT32, d)
            .reshape(1, s.classes());
      } else {
        // The sampled rows, gathered so that autograd scatters their gradient back into the whole weight.
        NDArray rows = OwnedArrays.copyOf(xg.getManager(), samples.get(g).index()).toDevice(d, false);
        weight = weight.get(new NDIndex("{}", rows));
        weight.attach(xg.getManager());
        if (bias != null) {
          bias = bias.get(new NDIndex("{}", rows));
          bias.attach(xg.getManager());
        }
        classes = rows.toType(DataType.FLOAT32, false).add(s.firstClass()).reshape(1, rows.getShape().get(0));
      }
      masks[g] = labels.toDevice(d, false).toType(DataType.FLOAT32, false).reshape(b, 1).eq(classes).toType(DataType.FLOAT32, false);
      logits[g] = head.logitsOf(xg, weight, bias, head.margin() ? masks[g] : null);
      // The max only keeps exp() finite; log-sum-exp does not depend on it, so no gradient flows through it.
      maxima.add(logits[g].max(new int[] {1}).stopGradient().toDevice(home, false));
    }
    NDArray max = NDArrays.stack(maxima, 0).max(new int[] {0});
    NDArray sum = null;
    NDArray target = null;
    for (int g = 0; g < shards.size(); g++) {
      Device d = logits[g].getDevice();
      NDArray shifted = logits[g].sub(max.toDevice(d, false).reshape(new Shape(b, 1)));
      NDArray partSum = shifted.exp().sum(new int[] {1}).toDevice(home, false);
      NDArray partTarget = logits[g].mul(masks[g]).sum(new int[] {1}).toDevice(home, false);
      sum = sum == null ? partSum : sum.add(partSum);
      target = target == null ? partTarget : target.add(partTarget);
    }
    NDArray total = sum.log().add(max).sub(target).sum();
    return total.div(OwnedArrays.scalar(total, b));
  }
}
