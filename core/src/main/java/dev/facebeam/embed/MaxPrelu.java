package dev.facebeam.embed;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * PReLU as max(x, a·x) — two tensor operations where the trained form's max(x, 0) + min(x, 0)·a takes
 * four — for slopes a in [0, 1], where the two give the same values (x > 0 gives x, x < 0 gives a·x;
 * only the sign of a zero can differ, at a = 0)
 * (docs/export.md). The inference form uses it only when every slope of the layer is in that range.
 */
final class MaxPrelu extends AbstractBlock {
  private final NDArray slopes; // [1, C, 1, …]

  MaxPrelu(NDArray slopes) {
    super((byte) 1);
    this.slopes = slopes;
  }

  /** True when max(x, a·x) equals PReLU for every slope of {@code alpha}. */
  static boolean applies(float[] alpha) {
    for (float a : alpha) {
      if (!(a >= 0f && a <= 1f)) {
        return false;
      }
    }
    return true;
  }

  @Override
  protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    return new NDList(x.mul(slopes).maximum(x));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }
}
