package dev.facebeam.embed;

import ai.djl.Device;
import java.util.HashMap;
import java.util.Map;

/**
 * One loaded model per JVM and device, shared by every DoFn instance that asks for it and closed
 * when the last one lets go (docs/stack.md: a Model per JVM, a Predictor per thread).
 */
public final class ModelHolder {
  private static final Map<String, Entry> MODELS = new HashMap<>();

  private static final class Entry {
    final FaceModel model;
    int users;

    Entry(FaceModel model) {
      this.model = model;
    }
  }

  private ModelHolder() {}

  private static String key(ModelSpec spec, Device device) {
    return spec.sha256() + "|" + spec.engine() + "|" + spec.block() + "|" + device;
  }

  public static synchronized FaceModel acquire(ModelSpec spec, Device device) {
    return acquire(spec, device, SlotThreads.ENGINE_DEFAULT);
  }

  /** {@code intraOpThreads}: for an ONNX Runtime session made now (see {@link FaceModel#load(ModelSpec, Device, boolean, int)}). */
  public static synchronized FaceModel acquire(ModelSpec spec, Device device, int intraOpThreads) {
    Entry e = MODELS.computeIfAbsent(key(spec, device), k -> new Entry(FaceModel.load(spec, device, true, intraOpThreads)));
    e.users++;
    return e.model;
  }

  public static synchronized void release(FaceModel model) {
    String k = key(model.spec(), model.device());
    Entry e = MODELS.get(k);
    if (e != null && e.model == model && --e.users == 0) {
      MODELS.remove(k);
      model.close();
    }
  }

  /** How many users hold a model in this JVM now: the embed slots open in it. */
  public static synchronized int users() {
    return MODELS.values().stream().mapToInt(e -> e.users).sum();
  }

  /** Models held now, for tests of the reference counting. */
  static synchronized int held() {
    return MODELS.size();
  }
}
