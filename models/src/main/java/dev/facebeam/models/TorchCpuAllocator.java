package dev.facebeam.models;

import ai.djl.engine.Engine;

/**
 * libtorch's CPU tensors from a cache of blocks instead of fresh pages every step (docs/training.md,
 * "Memory a step reuses"). libtorch's own allocator gives each activation and gradient to glibc, which
 * maps the large ones on their own and unmaps them when freed, so each training step faults its
 * working set in again. The cache keeps freed blocks of 64 KB and more for the next request of the same
 * size, holding at most the most bytes ever live plus a quarter (at least 256 MB). Values are unchanged:
 * only where the memory comes from.
 *
 * <p>The glue ({@code models/src/main/c/facebeam_torch_alloc.c}) is built with the module on Linux
 * x86-64 and travels in the jar; it checks the loaded libtorch against what it was written for and
 * installs nothing where they differ. {@code -Dfacebeam.torchAllocator=libtorch} keeps libtorch's own
 * ({@code cache}, the default, installs it; anything else is an error).
 */
public final class TorchCpuAllocator {
  /** The system property choosing the allocator: {@code cache} (the default) or {@code libtorch}. */
  public static final String PROPERTY = "facebeam.torchAllocator";
  /** Null once installed; otherwise why not. Unset until the first {@link #install}. */
  private static String state;
  private static boolean tried;

  private TorchCpuAllocator() {}

  /**
   * Installs the cache for the process (DJL's PyTorch engine is started first if it is not); null when
   * it serves, else why libtorch's own allocator does. Later calls answer the first's result.
   */
  public static synchronized String install() {
    if (!tried) {
      state = load(); // throws on an unknown choice, and then is asked again
      tried = true;
    }
    return state;
  }

  /** Says which allocator serves libtorch's CPU tensors, for logs and benchmarks. */
  public static synchronized String describe() {
    String why = install();
    return why == null ? "facebeam's block cache" : "libtorch's own (" + why + ")";
  }

  /** The cache's counters; all zero where it is not installed. */
  public static synchronized Counters counters() {
    if (install() != null) {
      return new Counters(0, 0, 0, 0, 0, 0, 0);
    }
    long[] v = counters0();
    return new Counters(v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
  }

  /**
   * Bytes in blocks handed out ({@code live}) and kept for reuse ({@code idle}), the most ever live and
   * the most ever held (live + idle); requests served from the cache ({@code hits}) and not; blocks
   * given back to the system to stay under the bound.
   */
  public record Counters(long live, long idle, long peakLive, long heldPeak, long hits, long misses, long released) {}

  private static String load() {
    String chosen = System.getProperty(PROPERTY, "cache");
    if (chosen.equals("libtorch")) {
      return "-D" + PROPERTY + "=libtorch";
    }
    if (!chosen.equals("cache")) {
      throw new IllegalArgumentException("not 'cache' (the default) or 'libtorch'");
    }
    Engine.getEngine("PyTorch"); // loads libtorch, whose allocator is replaced
    String why = NativeGlue.load(TorchCpuAllocator.class, "facebeam_torch_alloc", "no gcc where it was built");
    return why != null ? why : install0();
  }

  private static native String install0();

  private static native long[] counters0();
}
