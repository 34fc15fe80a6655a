package dev.facebeam.train;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Clears an array's accumulated gradient before a step (PyTorch accumulates into {@code .grad}). On the
 * PyTorch engine with libtorch's {@code zero_}, in place and without a handle per call; elsewhere
 * {@code g − g}, which leaves an infinite gradient NaN.
 */
final class Gradients {
  private Gradients() {}

  static void clear(NDArray a) {
    if (!a.hasGradient()) {
      return;
    }
    if (a instanceof PtNDArray pt) {
      JniUtils.zeroGrad(pt);
      return;
    }
    try (NDArray g = a.getGradient()) {
      g.subi(g);
    }
  }
}
