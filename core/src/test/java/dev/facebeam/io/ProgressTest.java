package dev.facebeam.io;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;

import org.junit.Test;

public class ProgressTest {
  @Test
  public void countsWhatWorkersReportAndEstimatesTheRest() {
    Progress p = Progress.show("test-stage", 1000);
    Progress.add("test-stage", 250);
    Progress.add("another-stage", 7); // not running: ignored
    assertEquals(250, p.done());
    String line = p.line();
    assertThat(line, containsString("test-stage: 250 / 1,000 records"));
    assertThat(line, containsString("ETA "));
    p.close();
    Progress.add("test-stage", 1); // after the stage: nowhere to count, no error
    assertEquals("2m 05s", Progress.duration(125));
    assertEquals("1h 01m", Progress.duration(3660));
  }

  /** Piped, whole lines come at the interval and end with the total; a run shorter than one interval prints nothing. */
  @Test
  public void pipedOutputGetsWholeLinesAndTheTotal() throws Exception {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    java.io.PrintStream out = new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8);
    Progress p = new Progress("piped-stage", 100, out, false, 50, null);
    Progress.add("piped-stage", 40);
    Thread.sleep(300);
    Progress.add("piped-stage", 60);
    p.close();
    String text = bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(text, -1, text.indexOf('\r'));
    String[] lines = text.split("\n");
    assertThat(text, lines.length >= 2, org.hamcrest.Matchers.is(true));
    assertThat(lines[0], containsString("piped-stage: 40 / 100 records"));
    assertThat(lines[lines.length - 1], containsString("piped-stage: 100 / 100 records"));
    for (String l : lines) {
      assertThat(l, Progress.isProgressLine(l), org.hamcrest.Matchers.is(true));
    }
    assertThat(Progress.isProgressLine("embed: 1,234 / 12,000 records, 85.3/s, ETA 2m 06s   "), org.hamcrest.Matchers.is(true));
    assertThat(Progress.isProgressLine("facebeam ingest failed: x.rec: no such file"), org.hamcrest.Matchers.is(false));

    java.io.ByteArrayOutputStream quiet = new java.io.ByteArrayOutputStream();
    Progress q = new Progress("short-stage", 10, new java.io.PrintStream(quiet, true, java.nio.charset.StandardCharsets.UTF_8), false,
        60_000, null);
    Progress.add("short-stage", 10);
    q.close();
    assertEquals("", quiet.toString(java.nio.charset.StandardCharsets.UTF_8));
  }
}
