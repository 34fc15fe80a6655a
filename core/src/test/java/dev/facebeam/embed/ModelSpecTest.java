package dev.facebeam.embed;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import dev.facebeam.UserInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class ModelSpecTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void preprocessingOptionsAreRangeCheckedNamingTheOption() throws Exception {
    // An empty file is an empty ONNX ModelProto: resolving checks its external data, not its graph.
    Path model = Files.writeString(tmp.getRoot().toPath().resolve("r50.onnx"), "");
    for (int bad : new int[] {100_000, 0, -3, 15, 1025}) {
      UserInputException e = assertThrows(UserInputException.class,
          () -> ModelSpec.resolve(model, new ModelSpec.Overrides(null, bad, null, null, null)));
      assertThat(e.getMessage(), containsString("--inputSize"));
      assertThat(e.getMessage(), containsString("16 to 1024"));
    }
    assertEquals(224, ModelSpec.resolve(model, new ModelSpec.Overrides(null, 224, null, null, null)).preprocessing().inputSize());
    UserInputException zero = assertThrows(UserInputException.class,
        () -> ModelSpec.resolve(model, new ModelSpec.Overrides(null, null, 127f, 0f, null)));
    assertThat(zero.getMessage(), containsString("--mean/--scale"));
  }
}
