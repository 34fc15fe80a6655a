package dev.facebeam.models.loss;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.facebeam.models.FreedMemory;
import java.util.List;
import java.util.Random;
import java.util.function.ToDoubleFunction;
import org.junit.Test;

/**
 * Every loss on a 3-class, 4-sample case: logits worked out by hand where they are round, and the
 * loss and its gradients against a plain-double re-implementation of docs/training.md differentiated by
 * central differences, never against DJL.
 */
public class LossesTest {
  private static final double[][] X = {{0.9, 0.3, -0.2}, {-0.4, 1.1, 0.5}, {0.2, -0.7, 0.8}, {1.2, 0.1, 0.4}};
  private static final double[][] W = {{1.0, 0.2, 0.1}, {-0.3, 0.9, 0.4}, {0.1, -0.5, 1.1}};
  private static final double[] B = {0.1, -0.2, 0.05};
  private static final int[] Y = {0, 1, 2, 1};

  @Test
  public void roundCasesByHand() {
    try (NDManager m = manager()) {
      NDArray x = m.create(new float[] {2, 0}, new Shape(1, 2));
      NDArray w = m.create(new float[] {1, 0, 0, 3, -1, 0}, new Shape(3, 2)); // rows normalise to (1,0), (0,1), (-1,0)
      // CosFace, label 0: cos = (1, 0, -1) → 64·(1 − 0.35), 0, −64.
      assertArrayEquals(new float[] {41.6f, 0f, -64f}, MarginSoftmax.cosFace().logits(x, w, null, m.create(new float[] {0})).toFloatArray(), 1e-4f);
      // ArcFace, label 1: θ = π/2 → cos(π/2 + 0.5) = −sin 0.5.
      assertArrayEquals(new float[] {64f, (float) (-64 * Math.sin(0.5)), -64f},
          MarginSoftmax.arcFace().logits(x, w, null, m.create(new float[] {1})).toFloatArray(), 1e-4f);
      // Softmax with bias: x·Wᵀ + b, nothing normalised.
      assertArrayEquals(new float[] {2.5f, 0f, -2f},
          MarginSoftmax.softmax().logits(x, w, m.create(new float[] {0.5f, 0, 0}), m.create(new float[] {0})).toFloatArray(), 1e-6f);
    }
  }

  @Test
  public void softmaxWithBias() {
    check(MarginSoftmax.softmax(), true);
  }

  @Test
  public void nsoftmaxArcFaceCosFaceAndCombined() {
    check(MarginSoftmax.of(64, 1, 0, 0), false);
    check(MarginSoftmax.arcFace(), false);
    check(MarginSoftmax.cosFace(), false);
    check(MarginSoftmax.of(64, 1.0f, 0.3f, 0.2f), false);
    check(MarginSoftmax.of(64, 0.9f, 0.4f, 0.15f), false);
  }

  private static void check(MarginSoftmax loss, boolean bias) {
    try (NDManager m = manager()) {
      NDArray x = m.create(flat(X), new Shape(4, 3));
      NDArray w = m.create(flat(W), new Shape(3, 3));
      NDArray b = bias ? m.create(toFloat(B)) : null;
      NDArray y = m.create(new float[] {Y[0], Y[1], Y[2], Y[3]});
      x.setRequiresGradient(true);
      w.setRequiresGradient(true);
      if (b != null) {
        b.setRequiresGradient(true);
      }
      float value;
      try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
        NDArray l = loss.loss(x, w, b, y);
        value = l.getFloat();
        var freed = FreedMemory.freeAndReuse(); // what autograd kept must survive a GC
        gc.backward(l);
        freed.clear();
      }
      double[][] xs = copy(X);
      double[][] ws = copy(W);
      double[] bs = B.clone();
      ToDoubleFunction<Void> f = v -> reference(loss, xs, ws, bias ? bs : null);
      String name = loss.toString();
      assertEquals(name + " loss", reference(loss, X, W, bias ? B : null), value, 1e-3);
      assertArrayEquals(name + " dL/dx", toFloat(numeric(xs, f)), x.getGradient().toFloatArray(), 2e-3f);
      assertArrayEquals(name + " dL/dW", toFloat(numeric(ws, f)), w.getGradient().toFloatArray(), 2e-3f);
      if (bias) {
        assertArrayEquals(name + " dL/db", toFloat(numeric(new double[][] {bs}, f)), b.getGradient().toFloatArray(), 1e-4f);
      }
    }
  }

  /** docs/training.md's losses in plain doubles. */
  private static double reference(MarginSoftmax l, double[][] x, double[][] w, double[] b) {
    double total = 0;
    for (int i = 0; i < x.length; i++) {
      double[] z = new double[w.length];
      for (int c = 0; c < w.length; c++) {
        if (!l.margin()) {
          z[c] = dot(x[i], w[c]) + (b == null ? 0 : b[c]);
        } else {
          double cos = dot(x[i], w[c]) / Math.sqrt(dot(x[i], x[i]) * dot(w[c], w[c]));
          if (c == Y[i]) {
            cos = Math.cos(l.m1() * Math.acos(cos) + l.m2()) - l.m3();
          }
          z[c] = l.s() * cos;
        }
      }
      double max = java.util.Arrays.stream(z).max().orElseThrow();
      double sum = 0;
      for (double v : z) {
        sum += Math.exp(v - max);
      }
      total += -(z[Y[i]] - max - Math.log(sum));
    }
    return total / x.length;
  }

  @Test
  public void tripletAndAngularTriplet() {
    // 2 triplets of 3-d embeddings: [a1, a2, p1, p2, n1, n2].
    double[][] e = {{1, 0.1, 0}, {0.2, 1, 0.1}, {0.9, 0.3, 0.1}, {0.5, 0.8, 0.3}, {0.8, -0.2, 0.4}, {-0.1, 0.3, 1}};
    for (TripletLoss t : List.of(TripletLoss.triplet(), TripletLoss.atriplet())) {
      try (NDManager m = manager()) {
        NDArray x = m.create(flat(e), new Shape(6, 3));
        x.setRequiresGradient(true);
        float value;
        try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
          NDArray l = t.loss(x);
          value = l.getFloat();
          var freed = FreedMemory.freeAndReuse(); // what autograd kept must survive a GC
          gc.backward(l);
          freed.clear();
        }
        double[][] es = copy(e);
        ToDoubleFunction<Void> f = v -> tripletReference(t, es);
        assertEquals(t + " loss", tripletReference(t, e), value, 1e-5);
        assertArrayEquals(t + " gradient", toFloat(numeric(es, f)), x.getGradient().toFloatArray(), 1e-3f);
      }
    }
  }

  private static double tripletReference(TripletLoss t, double[][] e) {
    double[][] u = new double[e.length][];
    for (int i = 0; i < e.length; i++) {
      double n = Math.sqrt(dot(e[i], e[i]));
      u[i] = new double[] {e[i][0] / n, e[i][1] / n, e[i][2] / n};
    }
    double total = 0;
    for (int i = 0; i < 2; i++) {
      double ap = t.angles() ? Math.acos(dot(u[i], u[i + 2])) : dist(u[i], u[i + 2]);
      double an = t.angles() ? Math.acos(dot(u[i], u[i + 4])) : dist(u[i], u[i + 4]);
      total += Math.max(0, ap - an + t.alpha());
    }
    return total / 2;
  }

  @Test
  public void semiHardMiningPicksOnlyNegativesInsideTheMargin() {
    // Identity 0 at angles 0° and 30°; identity 1 at 40° (semi-hard for (0, 1)), 90° (too easy), 10° (harder than the positive).
    float[][] bag = {unit(0), unit(30), unit(40), unit(90), unit(10)};
    int[] id = {0, 0, 1, 1, 1};
    // d(a,p) = 2 − 2cos30° = 0.268; d(a,40°) = 0.468 (within 0.3), d(a,90°) = 2, d(a,10°) = 0.030.
    List<SemiHardMining.Triplet> t = SemiHardMining.mine(bag, id, 0.3f, 0, new Random(1));
    // Identity 1's pairs: (2,3) d = 2−2cos50° = 0.714, and both other-identity rows are closer → none;
    // (2,4) d(40°,10°) = 0.268 → row 0 (d 0.468 ✓), row 1 (d 0.030 ✗);
    // (3,4) d(90°,10°) = 1.653 → row 0: d 2.0, but 2.0 − 1.653 = 0.347 ≥ 0.3 ✗; row 1: d 1.0 ✗ → none.
    assertEquals(List.of(new SemiHardMining.Triplet(0, 1, 2), new SemiHardMining.Triplet(2, 4, 0)), t);
  }

  private static float[] unit(double degrees) {
    double r = Math.toRadians(degrees);
    return new float[] {(float) Math.cos(r), (float) Math.sin(r)};
  }

  private static double[] numeric(double[][] p, ToDoubleFunction<Void> f) {
    double h = 1e-5;
    double[] g = new double[p.length * p[0].length];
    for (int i = 0; i < p.length; i++) {
      for (int j = 0; j < p[i].length; j++) {
        double keep = p[i][j];
        p[i][j] = keep + h;
        double up = f.applyAsDouble(null);
        p[i][j] = keep - h;
        double down = f.applyAsDouble(null);
        p[i][j] = keep;
        g[i * p[i].length + j] = (up - down) / (2 * h);
      }
    }
    return g;
  }

  private static NDManager manager() {
    System.setProperty("ai.djl.offline", "true");
    return NDManager.newBaseManager("PyTorch");
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  private static double dist(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (a[i] - b[i]) * (a[i] - b[i]);
    }
    return s;
  }

  private static double[][] copy(double[][] a) {
    double[][] c = new double[a.length][];
    for (int i = 0; i < a.length; i++) {
      c[i] = a[i].clone();
    }
    return c;
  }

  private static float[] flat(double[][] a) {
    float[] f = new float[a.length * a[0].length];
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < a[i].length; j++) {
        f[i * a[i].length + j] = (float) a[i][j];
      }
    }
    return f;
  }

  private static float[] toFloat(double[] d) {
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }
}
