package dev.facebeam.models;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Caps oneDNN — libtorch's CPU convolutions — at AVX2 on AMD CPUs with AVX-512 (docs/stack.md, "oneDNN
 * on AMD with AVX-512"): on an AMD EPYC with AVX-512 (BF16, VNNI) libtorch 2.7.1's oneDNN AVX-512 kernels
 * gave y1's channels-last TorchScript form a cosine of 0.997 to the trained network and NaN in the
 * updates of data-parallel training steps, now and then; under AVX2 both are exact. The cap is put in the
 * environment before the first convolution, which is when oneDNN reads it; {@code ONEDNN_MAX_CPU_ISA} or
 * {@code DNNL_MAX_CPU_ISA} set by the user wins (ALL lifts the cap).
 */
public final class OneDnnIsa {
  static final String VARIABLE = "ONEDNN_MAX_CPU_ISA";
  private static volatile String applied;

  private OneDnnIsa() {}

  /** The cap for a CPU described by {@code cpuinfo} (as /proc/cpuinfo reads) under {@code env}; null for none. */
  static String capFor(String cpuinfo, Map<String, String> env) {
    if (env.containsKey(VARIABLE) || env.containsKey("DNNL_MAX_CPU_ISA")) {
      return null;
    }
    boolean amd = false;
    boolean avx512 = false;
    for (String line : cpuinfo.split("\n")) {
      if (line.startsWith("vendor_id")) {
        amd |= line.contains("AuthenticAMD");
      } else if (line.startsWith("flags")) {
        avx512 |= (" " + line.substring(line.indexOf(':') + 1) + " ").contains(" avx512f ");
      }
    }
    return amd && avx512 ? "AVX2" : null;
  }

  /** Applies the cap once per process, where this CPU needs it; what was done, for the record. */
  public static synchronized String apply() {
    if (applied == null) {
      String cap;
      try {
        cap = capFor(Files.readString(Path.of("/proc/cpuinfo")), System.getenv());
      } catch (IOException | RuntimeException e) {
        cap = null; // not Linux, or no /proc: no cap
      }
      if (cap == null) {
        applied = "none";
      } else {
        String why = NativeGlue.load(OneDnnIsa.class, "facebeam_env", "no gcc where it was built");
        applied = why != null ? "not capped (" + why + ")" : setenvIfAbsent(VARIABLE, cap) >= 0 ? VARIABLE + "=" + cap : "not capped (setenv failed)";
      }
    }
    return applied;
  }

  private static native int setenvIfAbsent(String name, String value);
}
