package dev.facebeam.graph;

import static org.junit.Assert.assertEquals;

import dev.facebeam.TestData;
import dev.facebeam.embed.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The metadata reader against ONNX files other tools wrote: the onnx Python package (make_onnx.py) and the real face model. */
public class OnnxMetadataTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  private Path fixture() throws Exception {
    Path to = tmp.getRoot().toPath().resolve("tiny.onnx");
    try (var in = OnnxMetadataTest.class.getResourceAsStream("/onnx/metadata.onnx")) {
      Files.copy(in, to);
    }
    return to;
  }

  @Test
  public void readsWhatOnnxSaveWroteAndEmbedTakesThePreprocessingFromIt() throws Exception {
    Path onnx = fixture();
    Map<String, String> m = OnnxMetadata.read(onnx);
    assertEquals(List.of(OnnxMetadata.MODEL, "author"), List.copyOf(m.keySet()));
    assertEquals("make_onnx.py", m.get("author"));
    ModelSpec spec = ModelSpec.resolve(onnx, ModelSpec.Overrides.NONE);
    assertEquals("tiny", spec.name());
    assertEquals("OnnxRuntime", spec.engine());
    assertEquals(127f, spec.preprocessing().mean(), 0);
    assertEquals(true, spec.preprocessing().bgr());
    // A flag still wins over the metadata.
    assertEquals(127.5f, ModelSpec.resolve(onnx, new ModelSpec.Overrides(null, null, 127.5f, null, null)).preprocessing().mean(), 0);
  }

  @Test
  public void aModelWithoutMetadataOrAFileThatIsNotOneGivesNothingAndNoCrash() throws Exception {
    Path real = TestData.file("models/faceplugin/fr_feature.onnx");
    assertEquals(Map.of(), OnnxMetadata.read(real));
    assertEquals("fr_feature", ModelSpec.resolve(real, ModelSpec.Overrides.NONE).name());
    Path text = Files.writeString(tmp.getRoot().toPath().resolve("notes.onnx"), "not a model at all\n");
    assertEquals(Map.of(), OnnxMetadata.read(text));
    byte[] whole = Files.readAllBytes(fixture());
    Path cut = Files.write(tmp.getRoot().toPath().resolve("cut.onnx"), Arrays.copyOf(whole, whole.length - 40));
    OnnxMetadata.read(cut); // a truncated metadata entry: read what is whole, never throw past the file
  }
}
