package dev.facebeam.models;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * What a busy JVM may do between a training step's forward and backward passes, made certain: every
 * direct buffer nothing references any more is freed (a GC finds it, then the Cleaner thread frees
 * it), and the freed memory is handed out again and filled with NaN. A gradient that reads a buffer
 * Java let go of then differs from the one computed without this (docs/training.md "Arrays autograd keeps").
 */
public final class FreedMemory {
  /** The sizes of what forward code builds from Java data: 0-d floats and longs, labels, index lists, small inputs. */
  private static final int[] SIZES = {4, 8, 16, 24, 32, 48, 64, 128, 256};

  private FreedMemory() {}

  /** Frees what can be freed and fills the memory again; hold the result until the backward pass is done. */
  public static List<ByteBuffer> freeAndReuse() {
    for (int i = 0; i < 5; i++) {
      System.gc();
      try {
        Thread.sleep(30); // the Cleaner thread frees a buffer after the GC that found it unreachable
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    List<ByteBuffer> filler = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      ByteBuffer b = ByteBuffer.allocateDirect(SIZES[i % SIZES.length]).order(ByteOrder.nativeOrder());
      while (b.remaining() >= 4) {
        b.putFloat(Float.NaN);
      }
      filler.add(b);
    }
    return filler;
  }
}
