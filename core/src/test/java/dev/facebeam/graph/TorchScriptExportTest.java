package dev.facebeam.graph;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import dev.facebeam.RandomNetworks;
import dev.facebeam.models.Networks;
import java.util.Map;
import org.junit.Test;

/**
 * Every network train has, with seeded random weights and non-trivial BatchNorm statistics and PReLU
 * slopes, written as a TorchScript archive and run by libtorch's TorchScript interpreter (DJL's
 * PyTorch engine loading the file, as {@code torch.jit.load} does) against DJL's forward of the block
 * at batch sizes 1, 3, 8 and 17.
 */
public class TorchScriptExportTest {
  static final int SIZE = RandomNetworks.SIZE;

  public static void exportsWithParity(String name) throws Exception {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      Block block = RandomNetworks.network(m, name, 7);
      byte[] archive = TorchScriptExport.export(NetworkGraph.of(block, new Shape(1, 3, SIZE, SIZE)), Map.of("facebeam.network", name));
      int d = Networks.defaultEmbedding(name);
      Parity parity = Parity.NONE;
      try (TorchScriptRunner ts = new TorchScriptRunner(archive)) {
        for (int batch : new int[] {1, 3, 8, 17}) {
          float[] x = RandomNetworks.images(batch, batch);
          float[] a = RandomNetworks.forward(m, block, x, batch);
          float[] b = ts.run(x, batch, SIZE);
          assertEquals(batch * d, b.length);
          parity = parity.with(a, b, batch, d);
        }
      }
      System.out.println(name + " (TorchScript): " + parity);
      String dump = System.getProperty("facebeam.exportDump");
      if (dump != null) { // for checking by hand with torch.jit.load (docs/export.md)
        java.nio.file.Files.write(java.nio.file.Path.of(dump, name + ".pt"), archive);
      }
      assertTrue(name + ": " + parity, parity.holds());
    }
  }

  /**
   * The check sees what a converter gets wrong: BatchNorm's epsilon left at PyTorch's default (1e-5
   * where the network's is 2e-5) or a PReLU's slopes in the wrong channel order breaks parity.
   */
  @Test
  public void aDefaultBatchNormEpsilonOrShuffledPreluSlopesBreakParity() throws Exception {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      Block block = RandomNetworks.network(m, "ir-small", 11);
      NetworkGraph good = NetworkGraph.of(block, new Shape(1, 3, SIZE, SIZE));
      java.util.List<NetworkGraph.Op> eps = new java.util.ArrayList<>();
      java.util.List<NetworkGraph.Op> slopes = new java.util.ArrayList<>();
      for (NetworkGraph.Op op : good.ops()) {
        eps.add(op instanceof NetworkGraph.BatchNorm2 b
            ? new NetworkGraph.BatchNorm2(b.name(), b.input(), b.output(), b.gamma(), b.beta(), b.mean(), b.variance(), 1e-5f) : op);
        if (op instanceof NetworkGraph.Prelu p) {
          float[] v = p.slopes().values();
          float[] reversed = new float[v.length];
          for (int i = 0; i < v.length; i++) {
            reversed[i] = v[v.length - 1 - i];
          }
          slopes.add(new NetworkGraph.Prelu(p.name(), p.input(), p.output(),
              new NetworkGraph.Weight(p.slopes().name(), reversed, p.slopes().dims()), p.inputRank()));
        } else {
          slopes.add(op);
        }
      }
      float[] x = RandomNetworks.images(8, 3);
      float[] a = RandomNetworks.forward(m, block, x, 8);
      for (var graph : java.util.List.of(good, new NetworkGraph(eps, good.inputShape(), good.outputShape()),
          new NetworkGraph(slopes, good.inputShape(), good.outputShape()))) {
        try (TorchScriptRunner ts = new TorchScriptRunner(TorchScriptExport.export(graph, Map.of()))) {
          Parity p = Parity.NONE.with(a, ts.run(x, 8, SIZE), 8, 128);
          assertEquals(p.toString(), graph == good, p.holds());
        }
      }
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
