package dev.facebeam.codec;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;

import dev.facebeam.codec.pack.MegaFaceLandmarks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The landmark JSON beside a MegaFace distractor, read strictly (docs/formats.md). */
public class MegaFaceLandmarksTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  private Path json(String text) throws IOException {
    return Files.writeString(tmp.newFile().toPath(), text);
  }

  @Test
  public void readsTheBoxAndTheEyesAndNoseInInsightFacesOrder() throws Exception {
    MegaFaceLandmarks m = MegaFaceLandmarks.read(json("{\"bounding_box\": {\"x\": 10, \"y\": 12.5, \"width\": 60, \"height\": 80},"
        + " \"landmarks\": {\"0\": {\"x\": 62, \"y\": 50}, \"1\": {\"x\": 30, \"y\": 51}, \"2\": {\"x\": 46, \"y\": 70},"
        + " \"3\": {\"x\": 1, \"y\": 1}}, \"extra\": [1, 2]}"));
    assertArrayEquals(new double[] {10, 12.5, 70, 92.5}, m.bbox(), 0);
    // "1" is the image-left eye, "0" the image-right eye, "2" the nose.
    assertArrayEquals(new double[][] {{30, 51}, {62, 50}, {46, 70}}, m.threePoints());
    MegaFaceLandmarks none = MegaFaceLandmarks.read(json("{\"landmarks\": {\"0\": {\"x\": 1, \"y\": 2}}}"));
    assertNull(none.bbox());
    assertNull(none.threePoints());
  }

  @Test
  public void whatIsNotStrictJsonOrNotNumbersIsAnError() throws Exception {
    String deep = "[".repeat(500_000) + "]".repeat(500_000);
    for (String bad : new String[] {"{'bounding_box': {}}", "{\"bounding_box\": {\"x\": 1}} trailing", "[1, 2]", "",
        "{\"bounding_box\": {\"x\": \"10\", \"y\": 1, \"width\": 1, \"height\": 1}}",
        "{\"bounding_box\": {\"x\": NaN, \"y\": 1, \"width\": 1, \"height\": 1}}",
        "{\"landmarks\": {\"0\": 5, \"1\": {\"x\": 1, \"y\": 1}, \"2\": {\"x\": 1, \"y\": 1}}}", deep}) {
      IOException e = assertThrows(bad.length() > 60 ? "deep nesting" : bad, IOException.class, () -> MegaFaceLandmarks.read(json(bad)));
      assertThat(e.getMessage(), containsString("landmark JSON"));
    }
  }
}
