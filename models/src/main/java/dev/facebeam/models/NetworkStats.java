package dev.facebeam.models;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Convolution;
import ai.djl.nn.core.Linear;

/**
 * A network's size as the seed prints it with {@code count_flops}: learnable parameters (BN running
 * statistics and fixed BN scales excluded) and multiply-accumulates of its convolutions and fully
 * connected layers for one 112×112 image, walked over the initialised block tree.
 */
public record NetworkStats(long parameters, long macs) {

  /** {@code block} must be initialised for an input of {@code input} (batch 1). */
  public static NetworkStats of(Block block, Shape input) {
    long params = 0;
    for (var p : block.getParameters()) {
      Parameter parameter = p.getValue();
      if (parameter.requiresGradient() && parameter.getArray() != null) {
        params += parameter.getArray().size();
      }
    }
    return new NetworkStats(params, macs(block, input));
  }

  /** Multiply-accumulates of the block on {@code in}; the output shape is asked of the block itself. */
  private static long macs(Block b, Shape in) {
    if (b instanceof SequentialBlock s) {
      long total = 0;
      Shape shape = in;
      for (var child : s.getChildren()) {
        total += macs(child.getValue(), shape);
        shape = child.getValue().getOutputShapes(new Shape[] {shape})[0];
      }
      return total;
    }
    if (b instanceof ParallelBlock p) {
      long total = 0;
      for (var child : p.getChildren()) {
        total += macs(child.getValue(), in);
      }
      return total;
    }
    if (b instanceof Convolution || b instanceof Linear) {
      Shape out = b.getOutputShapes(new Shape[] {in})[0];
      Shape w = b.getParameters().get("weight").getArray().getShape(); // conv (out, in/groups, kh, kw); linear (units, in)
      long perOutput = w.size() / w.get(0);
      return out.size() / out.get(0) * perOutput;
    }
    return 0;
  }
}
