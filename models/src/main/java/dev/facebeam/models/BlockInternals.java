package dev.facebeam.models;

import ai.djl.ndarray.NDList;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.norm.BatchNorm;
import java.util.List;
import java.util.function.Function;

/**
 * What DJL 0.36 keeps private in its blocks and folding and export need: a BatchNorm's epsilon and
 * axis, a ParallelBlock's combining function. Read by reflection (docs/stack.md: the versions are pinned).
 */
public final class BlockInternals {
  private BlockInternals() {}

  public static float epsilon(BatchNorm bn) {
    return (float) field(bn, "epsilon");
  }

  public static int axis(BatchNorm bn) {
    return (int) field(bn, "axis");
  }

  @SuppressWarnings("unchecked")
  public static Function<List<NDList>, NDList> function(ParallelBlock p) {
    return (Function<List<NDList>, NDList>) field(p, "function");
  }

  private static Object field(Object o, String name) {
    try {
      var f = o.getClass().getDeclaredField(name);
      f.setAccessible(true);
      return f.get(o);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot read " + o.getClass().getSimpleName() + "." + name + " (DJL changed?): " + e, e);
    }
  }
}
