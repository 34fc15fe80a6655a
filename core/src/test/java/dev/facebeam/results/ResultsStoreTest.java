package dev.facebeam.results;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.facebeam.UserInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class ResultsStoreTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void aRecordReplacesOnlyTheOneWithItsKeyAndReadsBackEqual() throws Exception {
    Path dir = tmp.getRoot().toPath().resolve("store");
    ResultsStore store = ResultsStore.at("--results", dir.toString(), List.of());
    assertTrue("nothing is made before the first record", !Files.exists(dir));
    ResultRecord lfw = Records.verification("r50", "aaaa", "lfw", 0.99, 0.01);
    ResultRecord cfp = Records.verification("r50", "aaaa", "cfp_fp", 0.9, 0.01);
    Path f = store.put(lfw);
    store.put(cfp);
    assertEquals(List.of(cfp, lfw), store.records());
    byte[] before = Files.readAllBytes(f);
    long modified = Files.getLastModifiedTime(f).toMillis();
    Thread.sleep(20);
    store.put(lfw);
    assertEquals("the same record again: the file is left as it is", modified, Files.getLastModifiedTime(f).toMillis());
    ResultRecord later = new ResultRecord(lfw.benchmark(), lfw.kind(), lfw.model(), lfw.modelSha256(), lfw.preprocessing(),
        lfw.settings(), lfw.protocol(), lfw.metrics(), lfw.roc(), lfw.pairs(), lfw.negatives(), lfw.facebeamVersion(),
        "2027-01-01T00:00:00Z", lfw.source());
    store.put(later);
    assertEquals("evaluated again with the same numbers: the first time stays", modified, Files.getLastModifiedTime(f).toMillis());
    ResultRecord better = Records.verification("r50", "aaaa", "lfw", 0.995, 0.01);
    assertEquals(f, store.put(better));
    assertEquals(List.of(cfp, better), ResultsStore.existing("--results", dir.toString()).records());
    assertTrue(!java.util.Arrays.equals(before, Files.readAllBytes(f)));
    // NaN never reaches the file: undefined numbers are null.
    assertThat(Files.readString(f), containsString("\"val\": null"));
  }

  @Test
  public void aFolderFacebeamDidNotMakeIsRefusedBeforeAnyWork() throws Exception {
    Path mine = tmp.newFolder("mine").toPath();
    Files.writeString(mine.resolve("thesis.tex"), "x");
    UserInputException x = assertThrows(UserInputException.class, () -> ResultsStore.at("--results", mine.toString(), List.of()));
    assertThat(x.getMessage(), containsString("--results"));
    assertEquals(List.of(mine.resolve("thesis.tex")), Files.list(mine).toList());
    assertThrows(UserInputException.class, () -> ResultsStore.existing("--results", tmp.getRoot().toPath().resolve("none").toString()));
  }

  @Test
  public void aDamagedRecordIsAnErrorNamingItsFile() throws Exception {
    Path dir = tmp.getRoot().toPath().resolve("store");
    ResultsStore store = ResultsStore.at("--results", dir.toString(), List.of());
    Path f = store.put(Records.verification("r50", "aaaa", "lfw", 0.99, 0.01));
    Files.writeString(f, "{\"benchmark\": \"lfw\"");
    UserInputException x = assertThrows(UserInputException.class, store::records);
    assertThat(x.getMessage(), containsString(f.toString()));
  }

  /** Issue 23: an edited record showed accuracy_flip 7.5 as 750.00; a NaN was a bare NumberFormatException. */
  @Test
  public void aRecordWithValuesNoStageWritesIsAnErrorNamingItsFileAndTheValue() throws Exception {
    Path dir = tmp.getRoot().toPath().resolve("store");
    ResultsStore store = ResultsStore.at("--results", dir.toString(), List.of());
    Path f = store.put(Records.verification("r50", "aaaa", "lfw", 0.99, 0.01));
    String good = Files.readString(f);
    assertTrue(good, good.contains("\"accuracy_flip\": 0.99"));
    Files.writeString(f, good.replace("\"accuracy_flip\": 0.99", "\"accuracy_flip\": 7.5"));
    UserInputException x = assertThrows(UserInputException.class, store::records);
    assertEquals(f + ": not a results record this version wrote: metrics.accuracy_flip = 7.5 is not a rate in [0, 1]", x.getMessage());
    Files.writeString(f, good.replace("\"accuracy_flip\": 0.99", "\"accuracy_flip\": NaN"));
    x = assertThrows(UserInputException.class, store::records);
    assertThat(x.getMessage(), containsString(f + ": not a results record this version wrote: "));
    Files.writeString(f, good.replace("\"kind\": \"verification\"", "\"kind\": \"guess\""));
    x = assertThrows(UserInputException.class, store::records);
    assertThat(x.getMessage(), containsString("kind 'guess' is not verification, megaface, ijb or allpairs"));
  }

  @Test
  public void theDefaultStoreIsBesideTheOutput() {
    Path out = tmp.getRoot().toPath().resolve("runs/lfw-verify");
    assertEquals(tmp.getRoot().toPath().resolve("runs/facebeam-results").toString(), ResultsStore.besides(out.toString()));
  }
}
