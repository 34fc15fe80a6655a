package dev.facebeam;

import static org.junit.Assert.assertThrows;

import org.junit.Test;

/**
 * The core (codecs, alignment, metrics, embedding) is usable without Beam: its test class path,
 * which is its dependencies', must not hold Beam's SDK.
 */
public class CoreClassPathTest {
  @Test
  public void beamIsNotOnTheCoreClassPath() {
    assertThrows(ClassNotFoundException.class, () -> Class.forName("org.apache.beam.sdk.Pipeline"));
    assertThrows(ClassNotFoundException.class, () -> Class.forName("org.apache.beam.sdk.options.PipelineOptions"));
  }
}
