package dev.facebeam.embed;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import ai.djl.Device;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import dev.facebeam.RandomNetworks;
import dev.facebeam.graph.NetworkGraph;
import dev.facebeam.graph.Parity;
import dev.facebeam.proto.ModelDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * embed's default form of a DJL-native network on the PyTorch engine (docs/export.md): the folded
 * graph as channels-last TorchScript (NCHW where that misses the bounds on the CPU at hand, as oneDNN's
 * AVX-512 kernels did on an AMD EPYC) — the same folds as the DJL inference form, embeddings within
 * export's parity bound of the trained network at batch sizes 1, 3 and 17, cached by the
 * checkpoint's SHA-256 and reused; a network with a block TorchScript export lacks falls back to the
 * DJL inference form.
 */
public class TorchScriptFormTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  private Path checkpoint(String block, int d, long seed) throws Exception {
    Path dir = tmp.newFolder(block).toPath();
    try (ai.djl.Model m = ai.djl.Model.newInstance(block, "PyTorch")) {
      Block net = block.equals("small-convnet") ? BlockRegistry.create(block, d) : RandomNetworks.network(m.getNDManager(), block, seed);
      if (block.equals("small-convnet")) {
        net.initialize(m.getNDManager(), DataType.FLOAT32, new Shape(1, 3, 112, 112));
      }
      m.setBlock(net);
      m.save(dir, block);
    }
    ModelSpec.writeDescriptor(dir.resolve(ModelSpec.DESCRIPTOR), ModelDescriptor.newBuilder().setName(block).setEngine("PyTorch")
        .setFile(block + "-0000.params").setBlock(block).setEmbeddingSize(d).build());
    return dir;
  }

  @Test
  public void foldsAsTheDjlFormDoesAndEmbedsWithinTheBoundOfTheTrainedNetwork() throws Exception {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      for (String name : new String[] {"ir-small", "y1"}) {
        Block b = RandomNetworks.network(m, name, 5);
        NetworkGraph g = NetworkGraph.of(b, new Shape(1, 3, 112, 112));
        assertEquals(name, InferenceForm.foldable(b), g.batchNorms() - g.folded().batchNorms());
      }
    }
    ModelSpec spec = ModelSpec.resolve(checkpoint("y1", 128, 3), ModelSpec.Overrides.NONE);
    try (FaceModel trained = FaceModel.load(spec, Device.cpu(), false); FaceModel fast = FaceModel.load(spec, Device.cpu());
         Predictor<NDList, NDList> pt = trained.newPredictor(); Predictor<NDList, NDList> pf = fast.newPredictor()) {
      assertTrue(fast.form(), fast.form().startsWith("inference form as TorchScript"));
      assertTrue(fast.form(), fast.form().contains("50 BatchNorms folded"));
      Parity parity = Parity.NONE;
      for (int batch : new int[] {1, 3, 17}) {
        float[] x = RandomNetworks.images(batch, 60 + batch);
        parity = parity.with(trained.forward(pt, x, batch), fast.forward(pf, x, batch), batch, 128);
      }
      assertTrue(parity.toString(), parity.holds());
      Matcher cached = Pattern.compile("cached as (.*\\.pt)\\)").matcher(fast.form());
      assertTrue(cached.find());
      Path file = Path.of(cached.group(1));
      assertTrue(file.getFileName().toString().startsWith(spec.sha256()));
      byte[] first = Files.readAllBytes(file);
      long modified = Files.getLastModifiedTime(file).toMillis();
      try (FaceModel again = FaceModel.load(spec, Device.cpu())) {
        assertEquals(fast.form(), again.form());
      }
      assertEquals(modified, Files.getLastModifiedTime(file).toMillis()); // reused, not written again
      assertArrayEquals(first, Files.readAllBytes(file));
    }
  }

  @Test
  public void aNetworkWithoutATorchScriptFormRunsTheDjlInferenceForm() throws Exception {
    ModelSpec spec = ModelSpec.resolve(checkpoint("small-convnet", 16, 1), ModelSpec.Overrides.NONE);
    try (FaceModel m = FaceModel.load(spec, Device.cpu())) {
      assertTrue(m.form(), m.form().startsWith("inference form: 4 BatchNorms folded"));
    }
  }
}
