package dev.facebeam.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The probe × block score product through DJL: the probes live in the engine once, each block is
 * one matrix product whose rows are probes (so a probe's scores lie contiguous). Given a thread
 * count, each slot's products run on that many of libtorch's intra-op threads (slots × threads =
 * cores, docs/stack.md) while the other slots select top scores or run their own. Without one, one
 * engine product (this or all-pairs' {@link EngineProduct}) runs at a time in a JVM: libtorch already spreads a product over every core, and two at once only fight
 * for them, while the other workers keep reading and selecting top scores.
 *
 * <p>Nothing per block is left for the garbage collector: the block goes in through one reused
 * direct buffer (the tensor wraps it, no copy) and the scores come out of the tensor's own memory
 * into one reused array; the product itself is closed at once (DJL attaches it to the probes'
 * long-lived manager, where 58 MB per block piled up to 14 GB over 10^6 distractors).
 */
public final class DistractorProduct implements AutoCloseable {
  private final NDManager manager;
  private final NDArray probes;
  private final int p;
  private final int threads;
  private final ThreadLocal<Boolean> threadsSet = ThreadLocal.withInitial(() -> false);
  private final int d;
  private ByteBuffer in = ByteBuffer.allocateDirect(0);
  private float[] out = new float[0];

  /** {@code probes}: P × d, unit rows; one product at a time in this JVM, over every core. */
  public DistractorProduct(float[][] probes, String engine) {
    this(probes, engine, dev.facebeam.embed.SlotThreads.ENGINE_DEFAULT);
  }

  /** {@code threads}: intra-op threads for this slot's products, or {@link dev.facebeam.embed.SlotThreads#ENGINE_DEFAULT}. */
  public DistractorProduct(float[][] probes, String engine, int threads) {
    this.threads = threads;
    this.p = probes.length;
    this.d = probes[0].length;
    float[] flat = new float[p * d];
    for (int i = 0; i < p; i++) {
      System.arraycopy(probes[i], 0, flat, i * d, d);
    }
    dev.facebeam.models.DjlSettings.offline(); // this runs on workers too
    this.manager = NDManager.newBaseManager(engine);
    this.probes = manager.create(flat, new Shape(p, d));
  }

  public int probes() {
    return p;
  }

  public int dimension() {
    return d;
  }

  /**
   * Scores of every probe against the first {@code b} rows of {@code block} (b × d): P × b,
   * row-major, in an array this product reuses — valid until its next call.
   */
  public float[] scores(float[] block, int b) {
    int n = b * d;
    if (in.capacity() < 4 * n) {
      in = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder());
    }
    if (out.length < p * b) {
      out = new float[p * b];
    }
    in.clear();
    in.asFloatBuffer().put(block, 0, n);
    in.limit(4 * n);
    boolean alone = EngineProduct.begin(threads, threadsSet, manager.getEngine().getEngineName());
    try (NDManager m = manager.newSubManager()) {
      NDArray bt = m.create(in, new Shape(b, d), DataType.FLOAT32).transpose();
      // A result belongs to its first operand's manager (here the long-lived one): close it now.
      try (NDArray s = probes.matMul(bt)) {
        s.toByteBuffer(true).order(ByteOrder.nativeOrder()).asFloatBuffer().get(out, 0, p * b);
      }
      return out;
    } finally {
      EngineProduct.end(alone);
    }
  }

  @Override
  public void close() {
    manager.close();
  }
}
