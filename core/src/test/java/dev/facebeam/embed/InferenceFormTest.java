package dev.facebeam.embed;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import dev.facebeam.RandomNetworks;
import dev.facebeam.graph.Parity;
import dev.facebeam.models.Networks;
import org.junit.Test;

/** BatchNorm folded into the layer before it: the same embeddings, within the export parity bound, with fewer BatchNorms. */
public class InferenceFormTest {
  private static void foldsWithParity(String name, int expectedFolds) {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      Block trained = RandomNetworks.network(m, name, 5);
      if (expectedFolds >= 0) {
        assertEquals(expectedFolds, InferenceForm.foldable(trained));
      }
      Block folded = InferenceForm.fold(trained, new Shape(1, 3, RandomNetworks.SIZE, RandomNetworks.SIZE), m);
      assertEquals(0, InferenceForm.foldable(folded));
      int d = Networks.defaultEmbedding(name);
      Parity parity = Parity.NONE;
      for (int batch : new int[] {1, 8}) {
        float[] x = RandomNetworks.images(batch, 40 + batch);
        parity = parity.with(RandomNetworks.forward(m, trained, x, batch), RandomNetworks.forward(m, folded, x, batch), batch, d);
      }
      System.out.println(name + " folded: " + parity);
      assertTrue(name + ": " + parity, parity.holds());
    }
  }

  /** max(x, a·x) is PReLU exactly for slopes in [0, 1]; outside that range the layer keeps its four-op form. */
  @Test
  public void preluAsMaxIsExactForSlopesInZeroOneAndNotUsedOutside() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      dev.facebeam.models.ChannelPrelu prelu = new dev.facebeam.models.ChannelPrelu();
      Shape in = new Shape(2, 3, 4, 4);
      prelu.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32, in);
      prelu.slopes().set(new float[] {0f, 0.25f, 1f});
      float[] x = RandomNetworks.images(1, 9);
      ai.djl.ndarray.NDArray input = m.create(java.util.Arrays.copyOf(x, 96), in);
      float[] expected = prelu.forward(new ai.djl.training.ParameterStore(m, false), new ai.djl.ndarray.NDList(input), false)
          .singletonOrThrow().toFloatArray();
      Block fast = InferenceForm.fold(prelu, in, m);
      assertTrue(fast instanceof MaxPrelu);
      float[] got = fast.forward(new ai.djl.training.ParameterStore(m, false), new ai.djl.ndarray.NDList(input), false)
          .singletonOrThrow().toFloatArray();
      org.junit.Assert.assertArrayEquals(expected, got, 0f);
      prelu.slopes().set(new float[] {0f, 1.5f, -0.1f});
      assertTrue(InferenceForm.fold(prelu, in, m) == prelu);
    }
  }

  @Test
  public void irSmall() {
    // stem conv+bn, per unit: body conv+bn twice and the projection's conv+bn; fc1 after the FC: 1 + 4·3 + 1
    foldsWithParity("ir-small", 14);
  }

  @Test
  public void mobileFaceNet() {
    foldsWithParity("y1", countY1());
  }

  @Test
  public void mnas05() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      assertTrue(InferenceForm.foldable(RandomNetworks.network(m, "mnas05", 1)) > 40);
    }
    foldsWithParity("mnas05", -1);
  }

  /** y1: every conv of the stem, the separable stages and the GDC is followed by a BN, and the FC by fc1. */
  private static int countY1() {
    // conv_1, conv_2_dw; dResidual ×(1+4+1+6+1+2) = 15 units of three convs; conv_6sep; GDC; fc1
    return 2 + 15 * 3 + 1 + 1 + 1;
  }
}
