package dev.facebeam.models.loss;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

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
import java.util.TreeSet;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Partial FC: the class sample follows PartialFC_V2's rule (the batch's classes, filled with distinct
 * uniformly drawn others up to int(r·C), ascending), and the loss over a sample is the whole
 * classifier's loss over just the sampled rows, with a zero gradient for every row not sampled.
 */
public class PartialFcTest {
  @BeforeClass
  public static void offline() {
    System.setProperty("ai.djl.offline", "true");
  }

  @Test
  public void theSampleHoldsTheBatchsClassesAndDistinctOthersInOrder() {
    Random r = new Random(27);
    for (int trial = 0; trial < 500; trial++) {
      int classes = 1 + r.nextInt(300);
      int first = r.nextInt(50);
      double rate = trial % 10 == 0 ? 1.0 : 0.01 + 0.99 * r.nextDouble();
      float[] labels = new float[1 + r.nextInt(40)];
      TreeSet<Long> positives = new TreeSet<>();
      for (int i = 0; i < labels.length; i++) {
        labels[i] = r.nextInt(first + classes + 20); // some outside the shard
        long local = (long) labels[i] - first;
        if (local >= 0 && local < classes) {
          positives.add(local);
        }
      }
      long[] index = ClassSample.draw(labels, first, classes, rate, r).index();
      int want = (int) (rate * classes);
      assertEquals(Math.max(want, positives.size()), index.length);
      for (int k = 0; k < index.length; k++) {
        assertTrue(index[k] >= 0 && index[k] < classes);
        assertTrue("ascending and distinct", k == 0 || index[k] > index[k - 1]);
      }
      TreeSet<Long> got = new TreeSet<>();
      Arrays.stream(index).forEach(got::add);
      assertTrue("every class of the batch the shard holds", got.containsAll(positives));
      if (want <= positives.size()) {
        assertEquals("more of the batch's classes than the sample's size: only they", positives, got);
      }
    }
  }

  @Test
  public void theOthersAreDrawnUniformly() {
    // 100 classes, the batch holds 10 of them, r = 0.3: each of the 90 others is drawn with probability 20/90.
    int classes = 100;
    float[] labels = new float[10];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = 7 * i;
    }
    int[] seen = new int[classes];
    Random r = new Random(5);
    int draws = 20_000;
    for (int d = 0; d < draws; d++) {
      for (long c : ClassSample.draw(labels, 0, classes, 0.3, r).index()) {
        seen[(int) c]++;
      }
    }
    double p = 20.0 / 90;
    double sd = Math.sqrt(draws * p * (1 - p));
    for (int c = 0; c < classes; c++) {
      if (c % 7 == 0 && c < 70) {
        assertEquals(draws, seen[c]);
      } else {
        assertEquals("class " + c, draws * p, seen[c], 5 * sd);
      }
    }
  }

  @Test
  public void theLossOverASampleIsTheWholeClassifiersOverItsRows() {
    for (MarginSoftmax head : List.of(MarginSoftmax.softmax(), MarginSoftmax.arcFace(), MarginSoftmax.cosFace(),
        MarginSoftmax.of(64, 0.9f, 0.4f, 0.15f))) {
      for (int[] sizes : List.of(new int[] {11}, new int[] {4, 3, 4})) {
        compare(head, sizes, !head.margin());
      }
    }
  }

  private static void compare(MarginSoftmax head, int[] sizes, boolean bias) {
    int b = 5;
    int e = 4;
    int c = Arrays.stream(sizes).sum();
    float[] labels = {0, 10, 5, 5, 7};
    Random r = new Random(8);
    float[] xs = gaussian(r, b * e, 1);
    float[] ws = gaussian(r, c * e, 0.5);
    float[] bs = gaussian(r, c, 0.1);
    String name = head + " shards " + Arrays.toString(sizes);
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      // The sample of each shard, drawn with r = 0.5, and the same rows as one small classifier.
      List<ShardedMarginSoftmax.Shard> shards = new ArrayList<>();
      List<ClassSample> samples = new ArrayList<>();
      List<Integer> rows = new ArrayList<>();
      int first = 0;
      for (int size : sizes) {
        NDArray w = m.create(Arrays.copyOfRange(ws, first * e, (first + size) * e), new Shape(size, e));
        w.setRequiresGradient(true);
        NDArray bb = null;
        if (bias) {
          bb = m.create(Arrays.copyOfRange(bs, first, first + size));
          bb.setRequiresGradient(true);
        }
        shards.add(new ShardedMarginSoftmax.Shard(w, bb, first));
        ClassSample s = ClassSample.draw(labels, first, size, 0.5, r);
        samples.add(s);
        for (long k : s.index()) {
          rows.add(first + (int) k);
        }
        first += size;
      }
      float[] subW = new float[rows.size() * e];
      float[] subB = new float[rows.size()];
      float[] subLabels = new float[b];
      for (int k = 0; k < rows.size(); k++) {
        System.arraycopy(ws, rows.get(k) * e, subW, k * e, e);
        subB[k] = bs[rows.get(k)];
      }
      for (int i = 0; i < b; i++) {
        subLabels[i] = rows.indexOf((int) labels[i]);
        assertTrue(subLabels[i] >= 0);
      }
      NDArray x = m.create(xs, new Shape(b, e));
      NDArray w = m.create(subW, new Shape(rows.size(), e));
      NDArray bb = bias ? m.create(subB) : null;
      x.setRequiresGradient(true);
      w.setRequiresGradient(true);
      float expected;
      try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
        NDArray l = head.loss(x, w, bb, m.create(subLabels));
        expected = l.getFloat();
        var freed = FreedMemory.freeAndReuse(); // what autograd kept must survive a GC
        gc.backward(l);
        freed.clear();
      }
      float[] dw = w.getGradient().toFloatArray();

      NDArray x2 = m.create(xs, new Shape(b, e));
      x2.setRequiresGradient(true);
      float sampled;
      try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
        NDArray l = new ShardedMarginSoftmax(head).loss(x2, shards, m.create(labels), samples);
        sampled = l.getFloat();
        var freed = FreedMemory.freeAndReuse(); // what autograd kept must survive a GC
        gc.backward(l);
        freed.clear();
      }
      assertEquals(name + " loss", expected, sampled, 1e-4 * Math.max(1, Math.abs(expected)));
      float tolerance = 1e-4f * Math.max(1, head.s());
      assertArrayEquals(name + " dL/dx", x.getGradient().toFloatArray(), x2.getGradient().toFloatArray(), tolerance);
      for (ShardedMarginSoftmax.Shard s : shards) {
        float[] g = s.weight().getGradient().toFloatArray();
        for (int k = 0; k < s.weight().getShape().get(0); k++) {
          int at = rows.indexOf(s.firstClass() + k);
          float[] want = at >= 0 ? Arrays.copyOfRange(dw, at * e, (at + 1) * e) : new float[e];
          assertArrayEquals(name + " dL/dW row " + (s.firstClass() + k) + (at >= 0 ? " (sampled)" : " (not sampled: zero)"),
              want, Arrays.copyOfRange(g, k * e, (k + 1) * e), tolerance);
        }
      }
    }
  }

  private static float[] gaussian(Random r, int n, double scale) {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = (float) (scale * r.nextGaussian());
    }
    return out;
  }
}
