package dev.facebeam.embed;

/**
 * Intra-op threads per slot, so that the slots that embed in one JVM together use its cores once
 * (slots × threads = cores) instead of each asking the engine for every core (docs/stack.md).
 * libtorch keeps the count per calling thread (OpenMP), so each slot sets it on its own task thread;
 * ONNX Runtime takes it per session, when the model is loaded. {@code OMP_NUM_THREADS}, when the user
 * set it, wins.
 */
public final class SlotThreads {
  /** Not decided at launch: each worker divides its own cores among the embed slots open in its JVM. */
  public static final int PER_WORKER = -1;
  /** Leave the engine's own count (and the user's OMP_NUM_THREADS). */
  public static final int ENGINE_DEFAULT = 0;

  private SlotThreads() {}

  /** cores / slots, at least 1. */
  public static int perSlot(int cores, int slots) {
    return Math.max(1, cores / Math.max(1, slots));
  }

  /** The user's OMP_NUM_THREADS, or null when unset. */
  public static String userSetting() {
    String v = System.getenv("OMP_NUM_THREADS");
    return v == null || v.isBlank() ? null : v.strip();
  }

  /**
   * The count to use on this worker: {@code planned} when the launcher decided it, else this JVM's
   * cores over the embed slots open in it now.
   */
  public static int resolve(int planned, int openSlots) {
    return planned == PER_WORKER ? perSlot(Runtime.getRuntime().availableProcessors(), openSlots) : planned;
  }

  /** Engine slots open in this JVM (all-pairs' and megaface's products): a worker that decides its own threads divides its cores among them. */
  private static final java.util.concurrent.atomic.AtomicInteger OPEN = new java.util.concurrent.atomic.AtomicInteger();

  /** A slot opens: its thread count, {@code planned} or this JVM's cores over the slots open now (this one counted). */
  public static int open(int planned) {
    return resolve(planned, OPEN.incrementAndGet());
  }

  /** A slot that {@link #open} counted closes. */
  public static void close() {
    OPEN.decrementAndGet();
  }

  /** Sets libtorch's intra-op threads for the calling thread; other engines take it at load. */
  public static void useOnThisThread(String engine, int threads) {
    if (threads > 0 && userSetting() == null && "PyTorch".equals(engine)) {
      ai.djl.pytorch.jni.JniUtils.setNumThreads(threads);
    }
  }
}
