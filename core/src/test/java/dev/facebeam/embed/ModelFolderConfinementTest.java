package dev.facebeam.embed;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.facebeam.UserInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A model reads nothing outside its folder (issue 23): ONNX external data named by the onnx Python
 * package (onnx/external/make_external.py) with locations that climb out, are absolute, hide in a
 * node attribute or reach out through a link is refused before the engine sees the file; the same
 * graph with its weight beside it loads and gives the numbers numpy computes.
 */
public class ModelFolderConfinementTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  private Path models;

  private Path fixture(String name) throws Exception {
    if (models == null) {
      models = tmp.newFolder("a", "b", "models").toPath();
      // The secret the hostile models point at: two levels above their folder.
      Files.writeString(tmp.getRoot().toPath().resolve("a/secret.txt"), "SECRET-BYTES-NOT-WEIGHTS-0123456789abcdefghijklmnopqrstuvwxyz-0123456789abcdefghijklmnopqrstuvwxyz");
    }
    Path to = models.resolve(name);
    try (var in = ModelFolderConfinementTest.class.getResourceAsStream("/onnx/external/" + name)) {
      Files.copy(in, to);
    }
    return to;
  }

  private static String refused(Path model) {
    UserInputException e = assertThrows(UserInputException.class, () -> ModelSpec.resolve(model, ModelSpec.Overrides.NONE));
    assertTrue(e.getMessage(), e.getMessage().startsWith(model.toAbsolutePath() + "#tensor=W: "));
    return e.getMessage();
  }

  @Test
  public void externalDataThatClimbsOutIsRefused() throws Exception {
    String m = refused(fixture("escape.onnx"));
    assertTrue(m, m.contains("'../../secret.txt' is outside the model's folder"));
  }

  @Test
  public void absoluteExternalDataIsRefused() throws Exception {
    String m = refused(fixture("absolute.onnx"));
    assertTrue(m, m.contains("'/etc/hostname' is outside the model's folder"));
  }

  @Test
  public void externalDataInANodeAttributeIsRefused() throws Exception {
    refused(fixture("nested.onnx"));
  }

  @Test
  public void aLinkBesideTheModelThatLeadsOutIsRefused() throws Exception {
    Path inside = fixture("inside.onnx");
    Path secret = tmp.getRoot().toPath().resolve("a/secret.txt");
    Files.createSymbolicLink(models.resolve("weights.bin"), secret);
    String m = refused(inside);
    assertTrue(m, m.contains("is a link to " + secret.toRealPath()));
  }

  @Test
  public void aMissingExternalFileIsNamed() throws Exception {
    String m = refused(fixture("inside.onnx"));
    assertTrue(m, m.contains("external data file " + models.resolve("weights.bin") + " is missing"));
  }

  @Test
  public void externalDataBesideTheModelLoadsAndComputesAsNumpy() throws Exception {
    Path inside = fixture("inside.onnx");
    fixture("weights.bin");
    ModelSpec spec = ModelSpec.resolve(inside, ModelSpec.Overrides.NONE);
    assertEquals(1, dev.facebeam.embed.OnnxExternalData.check(inside));
    try (FaceModel model = FaceModel.load(spec, ai.djl.Device.cpu());
        var predictor = model.newPredictor()) {
      float[] ones = new float[2 * 3 * 112 * 112];
      java.util.Arrays.fill(ones, 1f);
      float[] out = model.forward(predictor, ones, 2);
      // numpy: ones.mean((2,3)) @ ((arange(24).reshape(3,8) - 11.5) / 8) = column sums of W
      float[] expected = {-1.3125f, -0.9375f, -0.5625f, -0.1875f, 0.1875f, 0.5625f, 0.9375f, 1.3125f};
      assertArrayEquals(expected, java.util.Arrays.copyOf(out, 8), 1e-6f);
    }
  }

  @Test
  public void aFolderDescriptorNamingAFileOutsideIsRefused() throws Exception {
    Path folder = tmp.newFolder("m").toPath();
    Files.writeString(folder.resolve("model.json"), "{\"file\": \"../../etc/hostname\", \"engine\": \"OnnxRuntime\"}", StandardCharsets.UTF_8);
    UserInputException e = assertThrows(UserInputException.class, () -> ModelSpec.resolve(folder, ModelSpec.Overrides.NONE));
    assertTrue(e.getMessage(), e.getMessage().startsWith(folder.resolve("model.json") + ": 'file' names ../../etc/hostname, outside the model folder"));
  }
}
