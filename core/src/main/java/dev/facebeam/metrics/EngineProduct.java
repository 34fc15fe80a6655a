package dev.facebeam.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Two row blocks' product through a DJL engine's matrix multiply (libtorch's: MKL's sgemm on this
 * machine, ~290 GFLOP/s on two cores against NumPy's OpenBLAS at ~120). Its sums run in the BLAS's
 * order, so {@link #bound} is the any-order bound and the caller rescores the pairs it cannot decide
 * with the canonical kernel. Given a thread count, each slot's products run on that many of libtorch's
 * intra-op threads (slots × threads = cores, docs/stack.md), so two slots never fight over a core;
 * without one, one product runs at a time in a JVM ({@link #ONE_AT_A_TIME}) and the engine spreads it
 * over every core.
 */
public final class EngineProduct implements BlockProduct {
  /** One engine product at a time per JVM: two at once only fight for the same cores. */
  private static final ReentrantLock ONE_AT_A_TIME = new ReentrantLock();

  private final NDManager manager;
  private final int threads;
  private final ThreadLocal<Boolean> threadsSet = ThreadLocal.withInitial(() -> false);
  private ByteBuffer xin = ByteBuffer.allocateDirect(0);
  private ByteBuffer yin = ByteBuffer.allocateDirect(0);
  private float[] out = new float[0];

  /** {@code threads}: intra-op threads for this slot's products, or {@link dev.facebeam.embed.SlotThreads#ENGINE_DEFAULT}. */
  public EngineProduct(String engine, int threads) {
    dev.facebeam.models.DjlSettings.offline(); // this runs on workers too
    this.manager = NDManager.newBaseManager(engine);
    this.threads = threads;
  }

  @Override
  public float[] scores(float[] x, int bx, float[] y, int by, int d) {
    xin = fill(xin, x, bx * d);
    yin = fill(yin, y, by * d);
    if (out.length < bx * by) {
      out = new float[bx * by];
    }
    boolean alone = begin(threads, threadsSet, manager.getEngine().getEngineName());
    try (NDManager m = manager.newSubManager()) {
      NDArray a = m.create(xin, new Shape(bx, d), DataType.FLOAT32);
      NDArray b = m.create(yin, new Shape(by, d), DataType.FLOAT32).transpose();
      try (NDArray s = a.matMul(b)) {
        s.toByteBuffer(true).order(ByteOrder.nativeOrder()).asFloatBuffer().get(out, 0, bx * by);
      }
      return out;
    } finally {
      end(alone);
    }
  }

  /**
   * Before an engine product: with a slot's thread count, that count set once on the calling thread
   * (libtorch keeps it per thread); without one (or with the user's OMP_NUM_THREADS), the JVM-wide
   * lock taken. True where the lock was taken: pass it to {@link #end}.
   */
  private static boolean begin(int threads, ThreadLocal<Boolean> threadsSet, String engine) {
    boolean alone = threads <= 0 || dev.facebeam.embed.SlotThreads.userSetting() != null;
    if (alone) {
      ONE_AT_A_TIME.lock();
    } else if (!threadsSet.get()) {
      dev.facebeam.embed.SlotThreads.useOnThisThread(engine, threads);
      threadsSet.set(true);
    }
    return alone;
  }

  private static void end(boolean alone) {
    if (alone) {
      ONE_AT_A_TIME.unlock();
    }
  }

  private static ByteBuffer fill(ByteBuffer buf, float[] v, int n) {
    if (buf.capacity() < 4 * n) {
      buf = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder());
    }
    buf.clear();
    buf.asFloatBuffer().put(v, 0, n);
    buf.limit(4 * n);
    return buf;
  }

  @Override
  public double bound(int d, double norms) {
    return BlockProduct.anyOrderBound(d, norms);
  }

  @Override
  public void close() {
    manager.close();
  }
}
