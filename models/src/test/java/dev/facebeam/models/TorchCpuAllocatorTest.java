package dev.facebeam.models;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The block cache behind libtorch's CPU tensors (TorchCpuAllocator): it installs into the libtorch DJL
 * loads, a freed block serves the next tensor of its size, tensors alive together never share a block,
 * every value is the one computed (a reused block is overwritten, not trusted), and what it holds stays
 * within the most ever live plus a quarter (at least 256 MB) however many sizes pass through.
 */
public class TorchCpuAllocatorTest {
  private static final long SLACK_MIN = 256L << 20;

  @BeforeClass
  public static void install() {
    assertNull("the cache serves libtorch", TorchCpuAllocator.install());
  }

  @Test
  public void aFreedBlockServesTheNextTensorOfItsSize() {
    try (NDManager m = Engine.getEngine("PyTorch").newBaseManager()) {
      TorchCpuAllocator.Counters before = TorchCpuAllocator.counters();
      for (int i = 0; i < 6; i++) {
        try (NDArray a = m.ones(new Shape(1 << 20))) { // 4 MB
          assertEquals((float) (1 << 20), a.sum().getFloat(), 0f);
        }
      }
      TorchCpuAllocator.Counters after = TorchCpuAllocator.counters();
      assertTrue("hits " + before + " -> " + after, after.hits() - before.hits() >= 5);
      assertEquals("nothing of this test is live", before.live(), after.live());
    }
  }

  @Test
  public void tensorsAliveTogetherKeepTheirOwnValues() {
    try (NDManager m = Engine.getEngine("PyTorch").newBaseManager()) {
      Shape shape = new Shape(300, 1000); // 1.2 MB
      for (int round = 0; round < 3; round++) {
        List<NDArray> alive = new ArrayList<>();
        for (int k = 0; k < 8; k++) {
          alive.add(m.full(shape, 1000f * round + k));
        }
        try (NDArray z = m.zeros(shape)) { // served from a block that held other values a round ago
          assertEquals(0f, z.abs().max().getFloat(), 0f);
        }
        for (int k = 0; k < 8; k++) {
          NDArray a = alive.get(k);
          float v = 1000f * round + k;
          assertEquals(v, a.min().getFloat(), 0f);
          assertEquals(v, a.max().getFloat(), 0f);
          a.close();
        }
      }
    }
  }

  @Test
  public void holdsNoMoreThanTheMostEverLivePlusSlack() {
    try (NDManager m = Engine.getEngine("PyTorch").newBaseManager()) {
      long before = TorchCpuAllocator.counters().released();
      long passed = 0;
      for (int mb = 1; mb <= 40; mb++) { // 820 MB of distinct sizes, one at a time: more than the bound holds
        try (NDArray a = m.zeros(new Shape(mb << 18))) {
          passed += (long) mb << 20;
          assertEquals(0f, a.sum().getFloat(), 0f);
        }
        TorchCpuAllocator.Counters c = TorchCpuAllocator.counters();
        long bound = c.peakLive() + Math.max(SLACK_MIN, c.peakLive() / 4);
        assertTrue("held " + c, c.live() + c.idle() <= bound + (40L << 20));
      }
      TorchCpuAllocator.Counters c = TorchCpuAllocator.counters();
      assertTrue("blocks given back: " + c + " after " + passed + " bytes", c.released() > before);
    }
  }

  @Test
  public void threadsAllocatingAtOnceGetTheirOwnBlocks() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (NDManager m = Engine.getEngine("PyTorch").newBaseManager()) {
      List<Future<Boolean>> runs = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        float v = t + 1;
        runs.add(pool.submit(() -> {
          boolean right = true;
          for (int i = 0; i < 200; i++) {
            try (NDManager local = m.newSubManager(); NDArray a = local.full(new Shape(64, 1024), v)) {
              NDArray b = a.mul(2f);
              right &= b.min().getFloat() == 2 * v && b.max().getFloat() == 2 * v;
            }
          }
          return right;
        }));
      }
      for (Future<Boolean> r : runs) {
        assertTrue(r.get());
      }
    } finally {
      pool.shutdown();
    }
  }
}
