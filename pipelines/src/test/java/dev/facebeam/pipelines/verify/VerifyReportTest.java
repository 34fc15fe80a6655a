package dev.facebeam.pipelines.verify;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;

import dev.facebeam.UserInputException;
import dev.facebeam.pipelines.stage.StageLayout;
import dev.facebeam.results.ResultRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** verify writes report.json and run reads it back through the same type: nothing is lost or renamed between them. */
public class VerifyReportTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void whatVerifyWritesRunReadsBackUnchanged() throws Exception {
    VerifyReport written = new VerifyReport("lfw", "r50", "ab12", 6000, 10, 0.9965, 0.0011, 0.99783, 0.00269, 22.5,
        new double[] {1.42, 1.43}, new double[] {0.995, 1.0}, null, null, null, 0.001,
        new double[] {0.0, 0.5, 1.0}, new double[] {0.0, 0.25, 1.0}, VerifyReport.PROTOCOL, 3000,
        tars(), new ResultRecord.Curve(List.of(0.001, 0.01), List.of(0.5, 0.75)));
    Path dir = tmp.newFolder().toPath();
    written.write(dir);
    String text = Files.readString(dir.resolve(StageLayout.REPORT_JSON));
    assertThat(text, containsString("  \"accuracy_flip\": 0.99783,\n"));
    assertThat(text, containsString("  \"val\": null,\n"));
    assertThat(text, containsString("  \"tpr\": [0.0, 0.5, 1.0],\n"));
    VerifyReport read = VerifyReport.read(dir.resolve(StageLayout.REPORT_JSON));
    assertEquals(0.99783, read.accuracyFlip(), 0);
    assertEquals(0.9965, read.accuracy(), 0);
    assertNull(read.val());
    assertArrayEquals(new double[] {1.42, 1.43}, read.thresholds(), 0);
    assertEquals(6000, read.pairs());
    assertEquals(0.5, read.tarAtFar().get("0.001"), 0);
    assertNull(read.tarAtFar().get("1e-06"));
    assertEquals(List.of(0.5, 0.75), read.roc().tar());
    assertEquals(text, read.toJson()); // the same bytes when written again
  }

  private static Map<String, Double> tars() {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("1e-06", null);
    m.put("0.001", 0.5);
    return m;
  }

  @Test
  public void aFileThatIsNotAReportIsAnErrorNamingIt() throws Exception {
    Path bad = Files.writeString(tmp.getRoot().toPath().resolve("report.json"), "{\"target\": \"lfw\"}");
    assertThat(assertThrows(UserInputException.class, () -> VerifyReport.read(bad)).getMessage(), containsString("report.json"));
  }
}
