package dev.facebeam.models;

/**
 * DJL must never download (docs/stack.md): offline mode and a cache folder of ours, set in every JVM that
 * loads a model before DJL's engine starts — the launcher's, and a cluster's TaskManagers, which start
 * without our {@code Main}. Settings the user gave (system property or environment) win. Also where
 * oneDNN's kernels must be capped on this CPU ({@link OneDnnIsa}), before the engine's first convolution.
 */
public final class DjlSettings {
  private DjlSettings() {}

  public static void offline() {
    if (System.getProperty("ai.djl.offline") == null && System.getenv("DJL_OFFLINE") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
    if (System.getenv("DJL_CACHE_DIR") == null && System.getProperty("DJL_CACHE_DIR") == null) {
      // libtorch is unpacked from the jar into this folder on first use.
      System.setProperty("DJL_CACHE_DIR", System.getProperty("user.home") + "/.facebeam/djl");
    }
    OneDnnIsa.apply();
  }
}
