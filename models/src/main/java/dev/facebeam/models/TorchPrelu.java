package dev.facebeam.models;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * libtorch's own {@code torch.prelu} — one kernel forward, one ({@code prelu_backward}) for both
 * gradients — reached from DJL, whose PyTorch binding has no PReLU: a one-line TorchScript module,
 * {@code forward(x, slope) = torch.prelu(x, slope)} (TorchScriptModules; docs/training.md, "Speed"), loaded once per process and run through DJL's module call, which
 * records autograd like any other op. Replaces four whole-size ops (max, min, mul, add) forward and
 * about twice as many backward. Values: the same as the four-op form (x where x > 0, slope · x
 * elsewhere); the gradient differs only at x = 0 exactly, where torch's PReLU gives slope · g and the
 * four-op form split it (g·(1 + slope)/2).
 */
final class TorchPrelu {
  private static volatile PtSymbolBlock module;

  private TorchPrelu() {}

  /** PReLU of {@code x} (N, C, …) with one slope per channel ({@code slope}: C), or null off the PyTorch engine. */
  static NDArray apply(NDArray x, NDArray slope, boolean training) {
    if (!(x instanceof PtNDArray) || !(slope instanceof PtNDArray)) {
      return null;
    }
    PtSymbolBlock m = module();
    // The module runs as written — torch.prelu under eager autograd — not as the graph executor would
    // re-plan it after profiling its first calls (its plan is per process, made for the first network's
    // shapes: a second network in the same process trained differently). The setting is per thread.
    JniUtils.setGraphExecutorOptimize(false);
    try {
      return IValueUtils.forward(m, new NDList(x, slope), training).singletonOrThrow();
    } finally {
      JniUtils.setGraphExecutorOptimize(OPTIMIZE);
    }
  }

  /** DJL's setting for the graph executor (its system property, default on), restored after each call. */
  private static final boolean OPTIMIZE = "true".equals(System.getProperty("ai.djl.pytorch.graph_optimizer", "true"));

  private static PtSymbolBlock module() {
    PtSymbolBlock m = module;
    if (m == null) {
      synchronized (TorchPrelu.class) {
        m = module;
        if (m == null) {
          // A manager of the engine's own, never closed: the module lives as long as the process.
          PtNDManager manager = (PtNDManager) Engine.getEngine("PyTorch").newBaseManager();
          try {
            m = JniUtils.loadModule(manager, new ByteArrayInputStream(archive()), false, false);
          } catch (IOException e) {
            throw new UncheckedIOException("cannot load the PReLU module", e);
          }
          module = m;
        }
      }
    }
    return m;
  }

  /** The module's TorchScript archive. */
  static byte[] archive() {
    return TorchScriptModules.archive("prelu", "Prelu", "x: Tensor,\n    slope: Tensor", "torch.prelu(x, slope)");
  }
}
