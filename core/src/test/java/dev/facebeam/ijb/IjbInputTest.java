package dev.facebeam.ijb;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertThrows;

import dev.facebeam.UserInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Wrong testsuite files are errors naming the file and line. */
public class IjbInputTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  private Path file(String name, String text) throws Exception {
    return Files.writeString(tmp.getRoot().toPath().resolve(name), text);
  }

  private String faces(String scores, String tidMid) throws Exception {
    return assertThrows(UserInputException.class, () -> IjbFaces.read(file("s.txt", scores), file("t.txt", tidMid))).getMessage();
  }

  @Test
  public void badFaceListsNameTheLine() throws Exception {
    String good = "a.jpg 1 2 3 4 5 6 7 8 9 10 0.9\n";
    assertThat(faces(good + "b.jpg 1 2 3 4 5 6 7 8 0.9\n", "a.jpg 1 1\nb.jpg 1 2\n"), containsString("s.txt:2"));
    assertThat(faces(good + "b.jpg 1 2 3 4 5 6 7 8 0.9\n", "a.jpg 1 1\nb.jpg 1 2\n"), containsString("8 landmark numbers, not 10"));
    assertThat(faces(good + "b.jpg 1 2 3 4 5 6 7 8 9 10 1.5\n", "a.jpg 1 1\nb.jpg 1 2\n"), containsString("s.txt:2: faceness 1.5 is outside (0, 1]"));
    assertThat(faces(good + "b.jpg 1 2 3 4 5 6 7 8 9 10 0\n", "a.jpg 1 1\nb.jpg 1 2\n"), containsString("outside (0, 1]"));
    assertThat(faces(good, "a.jpg 1 1\nb.jpg 1 2\n"), containsString("has 2 lines but s.txt has 1"));
    assertThat(faces(good, "b.jpg 1 1\n"), containsString("t.txt:1: names b.jpg where s.txt line 1 names a.jpg"));
    assertThat(faces(good, "a.jpg one 1\n"), containsString("t.txt:1: 'one' is not an integer id"));
    assertThat(faces("a.jpg 1 2 3 4 5 6 7 8 9 x 0.9\n", "a.jpg 1 1\n"), containsString("s.txt:1: 'x' is not a number"));
  }

  @Test
  public void badPairsAndListsNameTheLine() throws Exception {
    assertThat(assertThrows(UserInputException.class, () -> IjbPairs.read(file("p.txt", "1 2 1\n3 4 2\n"))).getMessage(),
        containsString("p.txt:2: label '2' is not 0 or 1"));
    assertThat(assertThrows(UserInputException.class, () -> IjbPairs.read(file("p2.txt", "1 2\n"))).getMessage(),
        containsString("p2.txt:1: expected '<template id 1> <template id 2> <label>'"));
    assertThat(assertThrows(UserInputException.class, () -> IjbPairs.read(tmp.getRoot().toPath().resolve("none.txt"))).getMessage(),
        containsString("no such file"));
    assertThat(assertThrows(UserInputException.class, () -> IjbCsv.read(file("g.csv", "TEMPLATE_ID,SUBJECT_ID\n1,2\nx,3\n"))).getMessage(),
        containsString("g.csv:3: 'x' is not an integer id"));
    assertThat(assertThrows(UserInputException.class, () -> IjbMode.parse("--mode", "N1D1F1")).getMessage(),
        containsString("--mode: 'N1D1F1' is not a mode"));
  }

  @Test
  public void aTemplateWithoutFacesOrAProbeWithoutOneGalleryTemplateIsAnError() {
    float[][] x = {{1, 0}, {0, 1}};
    assertThat(assertThrows(UserInputException.class, () -> TemplatePooling.pool(x, new int[] {1, 2}, new int[] {1, 2},
        new int[] {1, 3}, TemplatePooling.Norm.SKLEARN, "pairs.txt")).getMessage(), containsString("template 3 has no face"));
    double[][] v = {{1, 0}};
    assertThat(assertThrows(UserInputException.class, () -> OneToN.evaluate(v, new int[] {7}, new double[][] {{1, 0}, {0, 1}},
        new int[] {7, 7}, "G1.csv")).getMessage(), containsString("probe subject 7 has 2 gallery templates"));
  }
}
