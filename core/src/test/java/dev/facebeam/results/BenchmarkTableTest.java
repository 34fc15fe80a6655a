package dev.facebeam.results;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;

import dev.facebeam.UserInputException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.Test;

public class BenchmarkTableTest {
  private static final String A = "aaaa1111bbbb2222cccc";
  private static final String B = "dddd3333eeee4444ffff";

  @Test
  public void modelsAreRowsAndBenchmarksColumnsInTheSeedsOrder() {
    List<ResultRecord> records = List.of(
        Records.verification("r50", A, "cfp_fp", 0.90005, 0.01),
        Records.megaface("r50", A, 0.99, 0.95),
        Records.verification("r50", A, "lfw", 0.99825, 0.002),
        Records.verification("mbf", B, "lfw", 0.995, 0.003),
        Records.verification("r50", A, "my_pack", 0.7, 0.1));
    BenchmarkTable t = BenchmarkTable.of(records, Metric.HEADLINE);
    // A pack of one's own goes with the verification packs, before MegaFace.
    assertEquals(List.of("LFW", "CFP-FP", "my_pack", "MegaFace rank-1"), TableText.labels(t));
    String md = TableText.markdown(t);
    assertThat(md, containsString("| model | LFW | CFP-FP | my_pack | MegaFace rank-1 |"));
    // 0.90005 * 100 is 90.00499999… as a double: Python's '%.2f' prints 90.00 (rounding the shortest
    // decimal, 90.005, half-up would give 90.01); MegaFace: the rank-1 of the largest size.
    assertThat(md, containsString("| r50 | 99.83 | 90.00 | 70.00 | 95.00 |"));
    assertThat(md, containsString("| mbf | 99.50 | – | – | – |"));
    assertThat(TableText.csv(t), containsString("mbf," + B + ",99.50,,,\n"));
    assertThat(TableText.json(t), containsString("\"LFW\": 0.99825"));
    // Another metric: VAL is not measured here, TAR@1e-3 is on verification packs only.
    BenchmarkTable tar = BenchmarkTable.of(records, Metric.parse("--metric", "tar@1e-3"));
    assertThat(TableText.markdown(tar), containsString("| r50 | 50.00 | 50.00 | 50.00 | – |"));
    assertThat(TableText.markdown(BenchmarkTable.of(records, Metric.parse("--metric", "TAR@FAR=1e-6"))),
        containsString("| r50 | – | – | – | 90.00 |"));
    assertThrows(UserInputException.class, () -> Metric.parse("--metric", "tar@2e-4"));
    assertThrows(UserInputException.class, () -> Metric.parse("--metric", "acuracy"));
  }

  @Test
  public void rowsOfOneNameAreToldApartByWhatDiffers() {
    ResultRecord noFlip = new ResultRecord("lfw", ResultRecord.VERIFICATION, "r50", A, "RGB (x-127.5)/128",
        new TreeMap<>(Map.of("flip", "false")), new TreeMap<>(Map.of("folds", "10")),
        new ResultRecord.Metrics(0.99, 0.01, null, null, 20.0, null, null, null, Map.of(), null, null), null, 6000L, 0L,
        "dev", "t", "s");
    List<ResultRecord> records = List.of(Records.verification("r50", A, "lfw", 0.99825, 0.002),
        Records.verification("r50", B, "lfw", 0.9, 0.002), noFlip);
    BenchmarkTable t = BenchmarkTable.of(records, Metric.HEADLINE);
    assertEquals(List.of("r50 (aaaa1111bbbb, flip=false)", "r50 (aaaa1111bbbb, flip=true)", "r50 (dddd3333eeee)"),
        t.rows().stream().map(BenchmarkTable.Row::label).toList());
    // Without flip the headline falls back to plain accuracy.
    assertThat(TableText.markdown(t), containsString("| r50 (aaaa1111bbbb, flip=false) | 99.00 |"));
    assertEquals(2, Selection.rows(t, "aaaa1111", "--models").size());
    assertThrows(UserInputException.class, () -> Selection.one(t, "r50", "--compare"));
    UserInputException none = assertThrows(UserInputException.class, () -> Selection.rows(t, "r100", "--models"));
    assertThat(none.getMessage(), containsString("r50 (dddd3333eeee)"));
  }

  @Test
  public void comparisonGivesTheDifferenceAndWhetherItExceedsTheFoldStd() {
    List<ResultRecord> records = List.of(
        Records.verification("a", A, "lfw", 0.9950, 0.0030),
        Records.verification("a", A, "cfp_fp", 0.9000, 0.0100),
        Records.megaface("a", A, 0.99, 0.95),
        Records.verification("b", B, "lfw", 0.9960, 0.0020),
        Records.verification("b", B, "cfp_fp", 0.9300, 0.0150));
    Comparison c = Comparison.of(BenchmarkTable.of(records, Metric.HEADLINE), List.of("a", "b"), "--compare");
    // LFW: +0.10 points, below the larger std 0.30; CFP-FP: +3.00 > 1.50; MegaFace: only A measured it.
    assertEquals(0.996 - 0.995, c.lines().get(0).difference(), 0);
    assertEquals(false, c.lines().get(0).exceedsStd());
    assertEquals(true, c.lines().get(1).exceedsStd());
    assertNull(c.lines().get(2).difference());
    String md = c.markdown();
    assertThat(md, containsString("| LFW | 99.50 | 99.60 | +0.10 | 0.30 | no |"));
    assertThat(md, containsString("| CFP-FP | 90.00 | 93.00 | +3.00 | 1.50 | yes |"));
    assertThat(md, containsString("| MegaFace rank-1 | 95.00 | – | – | – | – |"));
    assertThrows(UserInputException.class, () -> Comparison.of(BenchmarkTable.of(records, Metric.HEADLINE), List.of("a"), "--compare"));
  }

  @Test
  public void selectionByModelsAndBenchmarks() {
    List<ResultRecord> records = List.of(Records.verification("a", A, "lfw", 0.99, 0.01),
        Records.verification("b", B, "lfw", 0.98, 0.01), Records.verification("b", B, "cfp_fp", 0.9, 0.01));
    assertEquals(1, Selection.records(records, List.of("b"), List.of("cfp_fp")).size());
    assertEquals(2, Selection.records(records, List.of(), List.of("lfw")).size());
    UserInputException x = assertThrows(UserInputException.class, () -> Selection.records(records, List.of(), List.of("agedb_30")));
    assertThat(x.getMessage(), containsString("cfp_fp, lfw"));
  }
}
