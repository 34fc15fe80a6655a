package dev.facebeam.graph;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;

import ai.djl.Device;
import dev.facebeam.UserInputException;
import dev.facebeam.embed.FaceModel;
import dev.facebeam.embed.ModelSpec;
import dev.facebeam.graph.NetworkGraph;
import dev.facebeam.graph.TorchScriptExport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The descriptor reader against a TorchScript archive that torch.jit.save wrote (make_torchscript.py):
 * embed takes the preprocessing from it with no flags and DJL's PyTorch engine runs it; files that
 * are not archives give nothing and no crash.
 */
public class TorchScriptMetadataTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  private Path fixture(String name) throws Exception {
    Path to = tmp.getRoot().toPath().resolve(name);
    try (var in = TorchScriptMetadataTest.class.getResourceAsStream("/torchscript/metadata.pt")) {
      Files.copy(in, to);
    }
    return to;
  }

  @Test
  public void readsWhatTorchJitSaveWroteAndEmbedLoadsItWithNoFlags() throws Exception {
    Path pt = fixture("tiny.pt");
    assertEquals('{', TorchScriptMetadata.descriptor(pt).charAt(0));
    ModelSpec spec = ModelSpec.resolve(pt, ModelSpec.Overrides.NONE);
    assertEquals("tiny-ts", spec.name());
    assertEquals("PyTorch", spec.engine());
    assertEquals(127f, spec.preprocessing().mean(), 0);
    assertEquals(true, spec.preprocessing().bgr());
    assertEquals(3, spec.embeddingSize());
    try (FaceModel m = FaceModel.load(spec, Device.cpu())) {
      assertEquals(3, m.embeddingSize());
    }
    // A flag still wins over the archive's descriptor.
    assertEquals(127.5f, ModelSpec.resolve(pt, new ModelSpec.Overrides(null, null, 127.5f, null, null)).preprocessing().mean(), 0);
  }

  @Test
  public void filesThatAreNotArchivesOrCarryNoDescriptorGiveNothing() throws Exception {
    Path text = Files.writeString(tmp.getRoot().toPath().resolve("notes.pt"), "not a model at all\n");
    assertNull(TorchScriptMetadata.descriptor(text));
    byte[] whole = Files.readAllBytes(fixture("whole.pt"));
    Path cut = Files.write(tmp.getRoot().toPath().resolve("cut.pt"), Arrays.copyOf(whole, whole.length - 100));
    assertNull(TorchScriptMetadata.descriptor(cut)); // the zip's directory is at the end: gone
    // A descriptor that is not one names the file.
    Path bad = tmp.getRoot().toPath().resolve("bad.pt");
    Files.write(bad, TorchScriptExport.export(new NetworkGraph(java.util.List.of(new NetworkGraph.Flatten("f", NetworkGraph.INPUT, "f:0")),
        new ai.djl.ndarray.types.Shape(1, 3, 2, 2), new ai.djl.ndarray.types.Shape(1, 12)), java.util.Map.of(TorchScriptExport.METADATA, "{\"mean\": \"x\"")));
    UserInputException e = assertThrows(UserInputException.class, () -> ModelSpec.resolve(bad, ModelSpec.Overrides.NONE));
    assertEquals(true, e.getMessage().contains(bad.toString()));
  }
}
