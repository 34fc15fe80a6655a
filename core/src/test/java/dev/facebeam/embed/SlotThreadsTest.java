package dev.facebeam.embed;

import static org.junit.Assert.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import dev.facebeam.models.DjlSettings;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.Test;

/**
 * Threads per slot (docs/stack.md): cores divided among slots, and libtorch's count set on the
 * calling thread only — what lets each embed slot of one JVM have its own.
 */
public class SlotThreadsTest {
  @Test
  public void coresAreDividedAmongSlotsAndEverySlotGetsOne() {
    assertEquals(1, SlotThreads.perSlot(2, 2));
    assertEquals(4, SlotThreads.perSlot(16, 4));
    assertEquals(2, SlotThreads.perSlot(8, 3)); // never more threads than cores in all
    assertEquals(1, SlotThreads.perSlot(2, 8));
    assertEquals(8, SlotThreads.perSlot(8, 0));
    assertEquals(3, SlotThreads.resolve(3, 99));
    assertEquals(SlotThreads.perSlot(Runtime.getRuntime().availableProcessors(), 2), SlotThreads.resolve(SlotThreads.PER_WORKER, 2));
  }

  @Test
  public void libtorchTakesTheCountOnTheCallingThreadOnly() throws Exception {
    DjlSettings.offline();
    Engine.getEngine("PyTorch");
    int mine = JniUtils.getNumThreads();
    AtomicInteger seen = new AtomicInteger();
    int want = mine == 1 ? 2 : 1;
    Thread slot = new Thread(() -> {
      SlotThreads.useOnThisThread("PyTorch", want);
      seen.set(JniUtils.getNumThreads());
    });
    slot.start();
    slot.join();
    if (SlotThreads.userSetting() == null) {
      assertEquals(want, seen.get());
    }
    assertEquals(mine, JniUtils.getNumThreads()); // this thread keeps its own
  }
}
