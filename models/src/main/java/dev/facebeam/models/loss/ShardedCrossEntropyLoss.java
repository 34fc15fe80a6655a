package dev.facebeam.models.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;
import java.util.List;
import java.util.function.Supplier;

/**
 * DJL's view of the classifier cut by class: the network outputs embeddings, and the loss computes
 * each shard's logits and the softmax across shards ({@link ShardedMarginSoftmax}). The shards are
 * asked for at every step, since the trainer updates them outside DJL's parameter store.
 */
public final class ShardedCrossEntropyLoss extends Loss {
  private final ShardedMarginSoftmax loss;
  private final Supplier<List<ShardedMarginSoftmax.Shard>> shards;
  private final Supplier<List<ClassSample>> samples;

  /** {@code samples} gives this step's class sample per shard (Partial FC), or null for every class. */
  public ShardedCrossEntropyLoss(MarginSoftmax head, Supplier<List<ShardedMarginSoftmax.Shard>> shards,
      Supplier<List<ClassSample>> samples) {
    super("sharded_cross_entropy");
    this.loss = new ShardedMarginSoftmax(head);
    this.shards = shards;
    this.samples = samples;
  }

  @Override
  public NDArray evaluate(NDList labels, NDList predictions) {
    return loss.loss(predictions.singletonOrThrow(), shards.get(), labels.singletonOrThrow(), samples.get());
  }
}
