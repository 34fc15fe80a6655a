package dev.facebeam.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Arrays whose memory the engine owns, for whatever a training step's autograd may keep until its
 * backward pass (docs/training.md "Arrays autograd keeps"). DJL's PyTorch engine builds an array from
 * Java data — {@code create(float[])}, and the 0-d array behind every op given a {@code Number}
 * ({@code x.mul(64f)}) — over a direct buffer that Java owns. Autograd saves the tensor, not the
 * buffer: once the array is closed (DJL closes a {@code Number}'s array as soon as the op returns) and
 * a GC frees the buffer, the backward pass reads freed memory and the gradient is garbage. So forward
 * code never hands an op a {@code Number} or a Java-backed array; it uses these.
 */
public final class OwnedArrays {
  private OwnedArrays() {}

  /** A 0-d array holding {@code v} in {@code like}'s type, device and manager (libtorch's {@code full}). */
  public static NDArray scalar(NDArray like, double v) {
    return like.getManager().full(new Shape(), (float) v, like.getDataType(), like.getDevice());
  }

  /** An engine-owned copy of {@code data} in {@code m}; the Java buffer is let go at once. */
  public static NDArray copyOf(NDManager m, float[] data, Shape shape) {
    try (NDArray javaBacked = m.create(data, shape)) {
      return javaBacked.duplicate();
    }
  }

  /** The same for indices. */
  public static NDArray copyOf(NDManager m, long[] data) {
    try (NDArray javaBacked = m.create(data)) {
      return javaBacked.duplicate();
    }
  }
}
