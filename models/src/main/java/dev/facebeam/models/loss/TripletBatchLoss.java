package dev.facebeam.models.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;

/** DJL's view of a triplet loss: the batch's layout (anchors, positives, negatives) carries the roles, not the labels. */
public final class TripletBatchLoss extends Loss {
  private final TripletLoss loss;

  public TripletBatchLoss(TripletLoss loss) {
    super(loss.angles() ? "atriplet" : "triplet");
    this.loss = loss;
  }

  @Override
  public NDArray evaluate(NDList labels, NDList predictions) {
    return loss.loss(predictions.singletonOrThrow());
  }
}
