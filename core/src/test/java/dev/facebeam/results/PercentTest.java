package dev.facebeam.results;

import static org.junit.Assert.assertEquals;

import org.junit.Test;

/** Python's '%.2f' % (100 * v), checked against Python 3.11 by hand: print('%.2f' % (0.90005 * 100)) → 90.00. */
public class PercentTest {
  @Test
  public void roundsAsPythonDoesNotAsJavasFormat() {
    assertEquals("90.00", Percent.of(0.90005)); // 100·v is 90.00499999…; Java's %.2f gives 90.01
    assertEquals("90.01", String.format(java.util.Locale.ROOT, "%.2f", 0.90005 * 100)); // why one function serves every table
    assertEquals("99.83", Percent.of(0.99825)); // 99.82500000000000284…
    assertEquals("50.00", Percent.of(0.5));
    assertEquals("–", Percent.of(null));
  }
}
