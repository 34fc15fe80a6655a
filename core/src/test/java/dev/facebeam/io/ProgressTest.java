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
}
