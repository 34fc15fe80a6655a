package dev.facebeam.pipelines.stage;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;

import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.Test;

/** The progress line's cluster address comes from the stage's own options (--flinkMaster), not from JVM-wide state. */
public class ClusterProgressTest {
  private static PipelineOptions options(String... args) {
    PipelineOptionsFactory.register(SlotOptions.class);
    return PipelineOptionsFactory.fromArgs(args).as(SlotOptions.class);
  }

  @Test
  public void aClusterNamedByHostAndPortIsReadThroughItsRestApiAndNothingElseIs() {
    assertEquals("http://jobmanager:8081", ClusterProgress.restOf("jobmanager:8081"));
    assertNotNull(ClusterProgress.forStage(options("--flinkMaster=jobmanager:8081"), "facebeam-embed-lfw", "Embed", ClusterProgress.Count.OUT));
    for (String master : new String[] {"[local]", "[auto]", "[collection]"}) {
      assertNull(master, ClusterProgress.forStage(options("--flinkMaster=" + master), "facebeam-embed-lfw", "Embed", ClusterProgress.Count.OUT));
    }
    assertNull(ClusterProgress.forStage(options(), "facebeam-embed-lfw", "Embed", ClusterProgress.Count.OUT));
  }
}
