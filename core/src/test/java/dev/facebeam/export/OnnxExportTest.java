package dev.facebeam.export;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import dev.facebeam.RandomNetworks;
import dev.facebeam.graph.Parity;
import dev.facebeam.models.Networks;
import dev.facebeam.onnx.ModelProto;
import java.util.List;
import java.util.Map;
import org.junit.Test;

/**
 * Every network train has, with seeded random weights and non-trivial BatchNorm statistics and PReLU
 * slopes (so a dropped BN attribute or a misshaped slope shows), exported and run by ONNX Runtime
 * against DJL's PyTorch forward at batch sizes 1, 3, 8 and 17.
 */
public class OnnxExportTest {
  static final int SIZE = RandomNetworks.SIZE;

  static void exportsWithParity(String name) throws Exception {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      Block block = RandomNetworks.network(m, name, 7);
      ModelProto model = OnnxExport.export(block, new Shape(1, 3, SIZE, SIZE), 13, 0, Map.of("facebeam.network", name));
      assertEquals(List.of(), OnnxChecks.problems(model));
      int d = Networks.defaultEmbedding(name);
      Parity parity = Parity.NONE;
      try (OnnxRunner ort = new OnnxRunner(model.toByteArray())) {
        for (int batch : new int[] {1, 3, 8, 17}) {
          float[] x = RandomNetworks.images(batch, batch);
          float[] a = RandomNetworks.forward(m, block, x, batch);
          float[] b = ort.run(x, batch, SIZE);
          assertEquals(batch * d, b.length);
          parity = parity.with(a, b, batch, d);
        }
      }
      System.out.println(name + ": " + parity);
      String dump = System.getProperty("facebeam.exportDump");
      if (dump != null) { // for checking by hand with the onnx Python package (docs/export.md)
        java.nio.file.Files.write(java.nio.file.Path.of(dump, name + ".onnx"), model.toByteArray());
      }
      assertTrue(name + ": " + parity, parity.holds());
    }
  }

  /** A converter that drops BN's epsilon (ONNX's default is 1e-5) or flattens PReLU's slopes is caught by the parity check. */
  @Test
  public void aDroppedBatchNormEpsilonOrAFlatPreluSlopeBreaksParity() throws Exception {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      Block block = RandomNetworks.network(m, "ir-small", 11);
      ModelProto good = OnnxExport.export(block, new Shape(1, 3, SIZE, SIZE), 13, 0, Map.of());
      ModelProto.Builder noEps = good.toBuilder();
      for (int i = 0; i < noEps.getGraph().getNodeCount(); i++) {
        var n = noEps.getGraph().getNode(i);
        if (n.getOpType().equals("BatchNormalization")) {
          noEps.getGraphBuilder().setNode(i, n.toBuilder().clearAttribute());
        }
      }
      float[] x = RandomNetworks.images(8, 3);
      float[] a = RandomNetworks.forward(m, block, x, 8);
      try (OnnxRunner ort = new OnnxRunner(good.toByteArray()); OnnxRunner bad = new OnnxRunner(noEps.build().toByteArray())) {
        assertTrue(Parity.NONE.with(a, ort.run(x, 8, SIZE), 8, 128).holds());
        Parity broken = Parity.NONE.with(a, bad.run(x, 8, SIZE), 8, 128);
        assertTrue("without epsilon: " + broken, !broken.holds());
      }
      // Slopes as [C] instead of [C, 1, 1] broadcast over the image width: ONNX Runtime refuses the graph or the numbers differ.
      ModelProto.Builder flat = good.toBuilder();
      for (int i = 0; i < flat.getGraph().getInitializerCount(); i++) {
        var t = flat.getGraph().getInitializer(i);
        if (t.getName().endsWith(".alpha")) {
          flat.getGraphBuilder().setInitializer(i, t.toBuilder().clearDims().addDims(t.getDims(0)));
        }
      }
      boolean caught;
      try (OnnxRunner bad = new OnnxRunner(flat.build().toByteArray())) {
        caught = !Parity.NONE.with(a, bad.run(x, 8, SIZE), 8, 128).holds();
      } catch (ai.onnxruntime.OrtException e) {
        caught = true;
      }
      assertTrue(caught);
    }
  }

  @Test
  public void irSmall() throws Exception {
    exportsWithParity("ir-small");
  }

  @Test
  public void mobileFaceNet() throws Exception {
    exportsWithParity("y1");
  }

  @Test
  public void mnas05() throws Exception {
    exportsWithParity("mnas05");
  }

  @Test
  public void r18() throws Exception {
    exportsWithParity("r18");
  }
}
