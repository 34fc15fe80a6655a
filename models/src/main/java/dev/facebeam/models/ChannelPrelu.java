package dev.facebeam.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;

/**
 * PReLU with one learned slope per channel, as MXNet's {@code LeakyReLU(act_type='prelu')} in
 * InsightFace's networks (DJL's own Prelu has a single slope, and its PyTorch kernel is missing).
 * Slopes start at 0.25.
 */
public final class ChannelPrelu extends AbstractBlock {
  private final Parameter alpha;

  public ChannelPrelu() {
    super((byte) 1);
    alpha = addParameter(Parameter.builder()
        .setName("alpha")
        .setType(Parameter.Type.GAMMA) // MXNet names PReLU slopes *_gamma: weight decay applies, Xavier does not
        .optInitializer(new ConstantInitializer(0.25f))
        .build());
  }

  @Override
  protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    NDArray a = store.getValue(alpha, x.getDevice(), training);
    NDArray fused = TorchPrelu.apply(x, a, training);
    if (fused != null) {
      return new NDList(fused);
    }
    long[] view = new long[x.getShape().dimension()];
    java.util.Arrays.fill(view, 1);
    view[1] = x.getShape().get(1);
    NDArray slope = a.reshape(new Shape(view));
    slope.attach(x.getManager()); // not the parameter's manager, where a view per forward would pile up
    NDArray zero = OwnedArrays.scalar(x, 0);
    return new NDList(x.maximum(zero).add(x.minimum(zero).mul(slope)));
  }

  /** The learned slopes, one per channel (for export). */
  public NDArray slopes() {
    return alpha.getArray();
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }

  @Override
  protected void prepare(Shape[] inputShapes) {
    alpha.setShape(new Shape(inputShapes[0].get(1)));
  }
}
