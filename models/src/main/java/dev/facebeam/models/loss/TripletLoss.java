package dev.facebeam.models.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import dev.facebeam.models.OwnedArrays;

/**
 * The seed's triplet losses (docs/training.md): the batch is [anchors; positives; negatives] in thirds, the
 * embeddings are L2-normalised; {@code triplet} uses squared Euclidean distances, {@code atriplet}
 * angles: L = mean max(0, d(a, p) − d(a, n) + α).
 */
public record TripletLoss(boolean angles, float alpha) {

  public static TripletLoss triplet() {
    return new TripletLoss(false, 0.3f);
  }

  public static TripletLoss atriplet() {
    return new TripletLoss(true, 0.35f);
  }

  public NDArray loss(NDArray embeddings) {
    long b = embeddings.getShape().get(0);
    if (b % 3 != 0) {
      throw new IllegalArgumentException("a triplet batch holds anchors, positives and negatives in thirds; got " + b + " rows");
    }
    long t = b / 3;
    NDArray x = embeddings.div(embeddings.norm(new int[] {1}, true));
    NDArray a = x.get(new NDIndex("0:{}", t));
    NDArray p = x.get(new NDIndex("{}:{}", t, 2 * t));
    NDArray n = x.get(new NDIndex("{}:{}", 2 * t, 3 * t));
    NDArray ap;
    NDArray an;
    if (angles) {
      ap = a.mul(p).sum(new int[] {1}).acos();
      an = a.mul(n).sum(new int[] {1}).acos();
    } else {
      ap = a.sub(p).square().sum(new int[] {1});
      an = a.sub(n).square().sum(new int[] {1});
    }
    NDArray margin = ap.sub(an).add(OwnedArrays.scalar(ap, alpha));
    return margin.maximum(OwnedArrays.scalar(margin, 0)).mean();
  }
}
