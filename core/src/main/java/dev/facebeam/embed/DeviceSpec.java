package dev.facebeam.embed;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.io.Serializable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code cpu}, {@code gpu} (every visible GPU, one predictor per device, handed out in turn) or
 * {@code gpu:K}. Asking for a GPU where the engine sees none is an error, not a silent CPU run.
 */
public record DeviceSpec(String kind, int index) implements Serializable {
  private static final AtomicInteger NEXT = new AtomicInteger();

  public static DeviceSpec parse(String s) {
    String v = s == null ? "cpu" : s.trim().toLowerCase();
    if (v.equals("cpu")) {
      return new DeviceSpec("cpu", -1);
    }
    if (v.equals("gpu")) {
      return new DeviceSpec("gpu", -1);
    }
    if (v.startsWith("gpu:")) {
      try {
        int k = Integer.parseInt(v.substring(4));
        if (k >= 0) {
          return new DeviceSpec("gpu", k);
        }
      } catch (NumberFormatException e) {
        // fall through
      }
    }
    throw new IllegalArgumentException("--device must be cpu, gpu or gpu:K, got '" + s + "'");
  }

  /** The device for one more predictor of this engine. */
  public Device pick(String engine) {
    if (kind.equals("cpu")) {
      return Device.cpu();
    }
    int gpus = Engine.getEngine(engine).getGpuCount();
    if (gpus == 0) {
      throw new IllegalStateException("--device=" + this + " but the " + engine
          + " engine sees no GPU (on a GPU host, provide CUDA libtorch through PYTORCH_LIBRARY_PATH; see the README)");
    }
    if (index >= 0) {
      if (index >= gpus) {
        throw new IllegalStateException("--device=gpu:" + index + " but only " + gpus + " GPU(s) are visible");
      }
      return Device.gpu(index);
    }
    return Device.gpu(Math.floorMod(NEXT.getAndIncrement(), gpus));
  }

  @Override
  public String toString() {
    return kind.equals("cpu") ? "cpu" : index < 0 ? "gpu" : "gpu:" + index;
  }
}
