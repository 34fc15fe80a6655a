package dev.facebeam.models;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.Random;
import org.junit.Test;

/**
 * ChannelPrelu through libtorch's own PReLU (TorchPrelu): the values of x where x > 0 and slope · x
 * elsewhere, and the gradients PReLU has — g where x > 0, slope · g elsewhere, and for each channel's
 * slope the sum of g · x over its negative inputs — computed here by hand, on random inputs and slopes
 * (some above 1 and below 0, where a max-based shortcut would be wrong), in training mode.
 */
public class ChannelPreluTest {
  @Test
  public void valuesAndGradientsArePreluOnes() {
    Random r = new Random(27);
    int c = 5;
    float[] slope = {0.25f, -0.5f, 1.75f, 0f, 0.1f};
    try (NDManager m = Engine.getEngine("PyTorch").newBaseManager()) {
      ChannelPrelu prelu = new ChannelPrelu();
      prelu.initialize(m, DataType.FLOAT32, new Shape(3, c, 7));
      prelu.getParameters().get("alpha").getArray().set(slope);
      // Several calls of two shapes: libtorch's graph executor would profile a module's first calls and plan
      // for their shapes; every call must still be PReLU's values and gradients.
      for (int call = 0; call < 6; call++) {
        int n = 3 + call % 2;
        int hw = 7 + 4 * (call % 2);
        float[] x = new float[n * c * hw];
        float[] g = new float[x.length];
        for (int i = 0; i < x.length; i++) {
          x[i] = (float) r.nextGaussian() + (i % 11 == 0 ? 0.5f : 0f);
          g[i] = (float) r.nextGaussian();
        }
        NDArray input = m.create(x, new Shape(n, c, hw));
        input.setRequiresGradient(true);
        NDArray out;
        try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
          gc.zeroGradients();
          out = prelu.forward(new ParameterStore(m, false), new NDList(input), true).singletonOrThrow();
          gc.backward(out.mul(m.create(g, new Shape(n, c, hw))).sum());
        }
        assertTrue("libtorch's PReLU served", TorchPrelu.apply(input, prelu.getParameters().get("alpha").getArray(), false) != null);
        float[] y = out.toFloatArray();
        float[] dx = input.getGradient().toFloatArray();
        float[] da = prelu.getParameters().get("alpha").getArray().getGradient().toFloatArray();
        float[] want = new float[c];
        for (int i = 0; i < x.length; i++) {
          int ch = i / hw % c;
          assertTrue(x[i] != 0f);
          assertEquals("call " + call + " y " + i, x[i] > 0 ? x[i] : slope[ch] * x[i], y[i], 0f);
          assertEquals("call " + call + " dx " + i, x[i] > 0 ? g[i] : slope[ch] * g[i], dx[i], 0f);
          if (x[i] < 0) {
            want[ch] += g[i] * x[i];
          }
        }
        assertArrayEquals("call " + call, want, da, 1e-5f);
      }
    }
  }

  @Test
  public void theTorchScriptArchiveLoads() {
    assertTrue(TorchPrelu.archive().length > 300);
  }
}
