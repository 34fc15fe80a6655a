package dev.facebeam.models.loss;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.facebeam.models.FreedMemory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The classifier cut by class into shards gives the loss and the gradients of the whole classifier
 * (itself checked against hand-worked values and numeric gradients in {@link LossesTest}), for
 * every head, with uneven shards and labels in every shard.
 */
public class ShardedMarginSoftmaxTest {
  static final int B = 6;
  static final int E = 5;
  static final int C = 7;
  static final float[] LABELS = {0, 6, 3, 4, 2, 5};

  @BeforeClass
  public static void offline() {
    System.setProperty("ai.djl.offline", "true");
  }

  @Test
  public void shardsGiveTheWholeClassifiersLossAndGradients() {
    for (MarginSoftmax head : List.of(MarginSoftmax.softmax(), MarginSoftmax.of(64, 1, 0, 0), MarginSoftmax.arcFace(),
        MarginSoftmax.cosFace(), MarginSoftmax.of(64, 0.9f, 0.4f, 0.15f))) {
      for (int[] sizes : List.of(new int[] {7}, new int[] {3, 1, 3}, new int[] {2, 2, 2, 1})) {
        compare(head, sizes, !head.margin());
      }
    }
  }

  private static void compare(MarginSoftmax head, int[] sizes, boolean bias) {
    Random r = new Random(3);
    float[] xs = new float[B * E];
    float[] ws = new float[C * E];
    float[] bs = new float[C];
    for (int i = 0; i < xs.length; i++) {
      xs[i] = (float) r.nextGaussian();
    }
    for (int i = 0; i < ws.length; i++) {
      ws[i] = (float) (0.5 * r.nextGaussian());
    }
    for (int i = 0; i < bs.length; i++) {
      bs[i] = (float) (0.1 * r.nextGaussian());
    }
    String name = head + " shards " + Arrays.toString(sizes);
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      // The whole classifier.
      NDArray x = m.create(xs, new Shape(B, E));
      NDArray w = m.create(ws, new Shape(C, E));
      NDArray b = bias ? m.create(bs) : null;
      x.setRequiresGradient(true);
      w.setRequiresGradient(true);
      if (b != null) {
        b.setRequiresGradient(true);
      }
      float whole;
      try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
        NDArray l = head.loss(x, w, b, m.create(LABELS));
        whole = l.getFloat();
        var freed = FreedMemory.freeAndReuse(); // what autograd kept must survive a GC
        gc.backward(l);
        freed.clear();
      }
      float[] dx = x.getGradient().toFloatArray();
      float[] dw = w.getGradient().toFloatArray();
      float[] db = b == null ? null : b.getGradient().toFloatArray();

      // The same numbers cut into shards.
      NDArray x2 = m.create(xs, new Shape(B, E));
      x2.setRequiresGradient(true);
      List<ShardedMarginSoftmax.Shard> shards = new ArrayList<>();
      int first = 0;
      for (int size : sizes) {
        NDArray ws2 = m.create(Arrays.copyOfRange(ws, first * E, (first + size) * E), new Shape(size, E));
        ws2.setRequiresGradient(true);
        NDArray bs2 = null;
        if (bias) {
          bs2 = m.create(Arrays.copyOfRange(bs, first, first + size));
          bs2.setRequiresGradient(true);
        }
        shards.add(new ShardedMarginSoftmax.Shard(ws2, bs2, first));
        first += size;
      }
      float sharded;
      try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
        NDArray l = new ShardedMarginSoftmax(head).loss(x2, shards, m.create(LABELS));
        sharded = l.getFloat();
        var freed = FreedMemory.freeAndReuse(); // what autograd kept must survive a GC
        gc.backward(l);
        freed.clear();
      }
      assertEquals(name + " loss", whole, sharded, 1e-4 * Math.max(1, Math.abs(whole)));
      float tolerance = 1e-4f * Math.max(1, head.s());
      assertArrayEquals(name + " dL/dx", dx, x2.getGradient().toFloatArray(), tolerance);
      for (ShardedMarginSoftmax.Shard s : shards) {
        int from = s.firstClass();
        int to = from + (int) s.weight().getShape().get(0);
        assertArrayEquals(name + " dL/dW rows " + from + ".." + to, Arrays.copyOfRange(dw, from * E, to * E),
            s.weight().getGradient().toFloatArray(), tolerance);
        if (bias) {
          assertArrayEquals(name + " dL/db " + from, Arrays.copyOfRange(db, from, to), s.bias().getGradient().toFloatArray(), tolerance);
        }
      }
    }
  }
}
