package dev.facebeam.pipelines.stage;

import dev.facebeam.embed.SlotThreads;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * How a stage whose workers run an engine (embed's models, all-pairs' matrix products) divides cores
 * among its slots (docs/stack.md): on embedded Flink every slot is in this JVM, so each gets
 * cores / slots intra-op threads; on a cluster each TaskManager divides its own cores among the slots
 * open in it. {@code threads} is a {@link SlotThreads} count or policy.
 */
public record EngineSlots(int slots, int threads, String described) {
  public static EngineSlots of(PipelineOptions runner) {
    int cores = Runtime.getRuntime().availableProcessors();
    String user = SlotThreads.userSetting();
    boolean flink = runner.getRunner() != null && runner.getRunner().getSimpleName().equals("FlinkRunner");
    SlotOptions o = runner.as(SlotOptions.class);
    boolean embedded = flink && (o.getFlinkMaster().equals("[local]") || o.getFlinkMaster().equals("[collection]"));
    int slots = o.getParallelism() != null && o.getParallelism() > 0 ? o.getParallelism() : embedded ? cores : -1;
    if (user != null) {
      return new EngineSlots(slots, SlotThreads.ENGINE_DEFAULT, "OMP_NUM_THREADS=" + user + " (set by the user)");
    }
    if (!embedded) {
      return new EngineSlots(slots, SlotThreads.PER_WORKER, "each worker's cores / the embed slots open in its JVM");
    }
    int threads = SlotThreads.perSlot(cores, slots);
    return new EngineSlots(slots, threads, threads + " (" + cores + " cores / " + slots + " slots)");
  }
}
