package dev.facebeam.models.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;

/** DJL's view of a classification head's loss: the mean cross-entropy of its (margin-adjusted) logits. */
public final class CrossEntropyLoss extends Loss {
  public CrossEntropyLoss() {
    super("cross_entropy");
  }

  @Override
  public NDArray evaluate(NDList labels, NDList predictions) {
    return MarginSoftmax.crossEntropy(predictions.singletonOrThrow(), labels.singletonOrThrow());
  }
}
