package dev.facebeam.pipelines.stage;

import static org.junit.Assert.assertEquals;

import dev.facebeam.embed.SlotThreads;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.Assume;
import org.junit.Test;

/** How embed divides cores among its slots, from the runner options a command line gives. */
public class EngineSlotsTest {
  private static EngineSlots of(String... args) {
    return EngineSlots.of(PipelineOptionsFactory.fromArgs(args).as(SlotOptions.class));
  }

  @Test
  public void embeddedFlinkGivesEachSlotItsShareOfTheCores() {
    Assume.assumeTrue("OMP_NUM_THREADS is set here", SlotThreads.userSetting() == null);
    int cores = Runtime.getRuntime().availableProcessors();
    // The runner class is named, not loaded: pipelines does not depend on the Flink runner.
    EngineSlots two = EngineSlots.of(flink("[local]", 2));
    assertEquals(2, two.slots());
    assertEquals(Math.max(1, cores / 2), two.threads());
    assertEquals(two.threads() + " (" + cores + " cores / 2 slots)", two.described());
    EngineSlots unset = EngineSlots.of(flink("[local]", -1));
    assertEquals(cores, unset.slots());
    assertEquals(1, unset.threads());
    EngineSlots cluster = EngineSlots.of(flink("jobmanager:8081", 8));
    assertEquals(SlotThreads.PER_WORKER, cluster.threads());
    assertEquals(SlotThreads.PER_WORKER, of("--runner=DirectRunner").threads());
  }

  private static SlotOptions flink(String master, int parallelism) {
    SlotOptions o = PipelineOptionsFactory.create().as(SlotOptions.class);
    o.setRunner(FlinkRunner.class);
    o.setFlinkMaster(master);
    o.setParallelism(parallelism);
    return o;
  }

  /** Stands in for Beam's FlinkRunner, which EngineSlots recognises by its simple name. */
  abstract static class FlinkRunner extends org.apache.beam.sdk.PipelineRunner<org.apache.beam.sdk.PipelineResult> {}
}
