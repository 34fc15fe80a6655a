package dev.facebeam.pipelines.figures;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class ChartsTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void theValueAxisFitsTheDataAndStaysReadableWhenAllValuesAreEqual() {
    // Every rate 1.0 (a CMC of a perfect model): 0.96 … 1.0, not a single tick at 1.0.
    assertArrayEquals(new double[] {0.96, 1.0}, Charts.valueRange(List.of(1.0, 1.0, 1.0)), 1e-12);
    // 0.65 … 1.0 with 5% margins, clipped to 1.
    assertArrayEquals(new double[] {0.63, 1.0}, Charts.valueRange(List.of(0.65, 0.9, 1.0)), 1e-12);
    // Nothing to show: the whole [0, 1].
    assertArrayEquals(new double[] {0, 1}, Charts.valueRange(List.of()), 0);
  }

  @Test
  public void theMarkedTarIsTheHighestAtOrBelowTheFar() {
    List<Double> far = List.of(1e-5, 1e-4, 5e-4, 1e-3, 1e-2);
    List<Double> tar = List.of(0.5, 0.6, 0.7, 0.8, 0.9);
    assertEquals(0.6, Charts.atMost(far, tar, 1e-4), 0);
    assertEquals(0.8, Charts.atMost(far, tar, 1e-3), 0);
    assertNull(Charts.atMost(far, tar, 1e-6));
  }

  @Test
  public void aRocWithoutCurvesIsAPlotWithItsNoteAsPngAndSvg() throws Exception {
    Path base = tmp.getRoot().toPath().resolve("roc");
    Charts.roc("ROC: lfw", List.of(), "No ROC: the pack's 10 pairs are all same-identity", base);
    assertTrue(Files.size(tmp.getRoot().toPath().resolve("roc.png")) > 1000);
    // The SVG is well-formed XML (its text is drawn as outlines, so the note shows as paths, not words).
    javax.xml.parsers.DocumentBuilderFactory f = javax.xml.parsers.DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    assertEquals("svg", f.newDocumentBuilder().parse(tmp.getRoot().toPath().resolve("roc.svg").toFile()).getDocumentElement().getTagName());
    // The note is drawn: another note gives another picture.
    Path other = tmp.getRoot().toPath().resolve("other");
    Charts.roc("ROC: lfw", List.of(), "No ROC: the pack's 12 pairs are all same-identity", other);
    assertTrue(!java.util.Arrays.equals(Files.readAllBytes(base.resolveSibling("roc.png")), Files.readAllBytes(other.resolveSibling("other.png"))));
  }

  @Test
  public void aRocKeepsTheLowestAndHighestPointOfEveryStepWhenDrawn() {
    // 300,000 vertices from FAR 1e-7 to 1, TAR rising: a bounded number is drawn, the envelope of each step kept.
    List<Double> far = new java.util.ArrayList<>();
    List<Double> tar = new java.util.ArrayList<>();
    java.util.Random r = new java.util.Random(5);
    double t = 0.2;
    for (int i = 0; i < 300_000; i++) {
      far.add(Math.pow(10, -7 + 7.0 * i / 299_999));
      t = Math.min(1, t + r.nextDouble() * 5e-6);
      tar.add(t);
    }
    Charts.Curve drawn = Charts.visible(new Charts.Curve("m", far, tar));
    assertTrue(drawn.x().size() <= 2 * 7 * Charts.STEPS_PER_DECADE + 2);
    assertEquals(far.get(0), drawn.x().get(0));
    assertEquals(far.get(far.size() - 1), drawn.x().get(drawn.x().size() - 1));
    java.util.Map<Long, double[]> kept = new java.util.HashMap<>();
    for (int i = 0; i < drawn.x().size(); i++) {
      kept.merge((long) Math.floor(Math.log10(drawn.x().get(i)) * Charts.STEPS_PER_DECADE),
          new double[] {drawn.y().get(i), drawn.y().get(i)}, (a, b) -> new double[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
    }
    for (int i = 0; i < far.size(); i++) {
      double[] range = kept.get((long) Math.floor(Math.log10(far.get(i)) * Charts.STEPS_PER_DECADE));
      assertTrue("point " + i + " lies within its step's drawn range", range != null && range[0] <= tar.get(i) && tar.get(i) <= range[1]);
    }
  }
}
