package dev.facebeam.pipelines.embed;

import dev.facebeam.embed.SlotThreads;
import dev.facebeam.pipelines.stage.SlotOptions;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * How embed divides cores among its slots (docs/stack.md): on embedded Flink every slot is in this
 * JVM, so each gets cores / slots intra-op threads; on a cluster each TaskManager divides its own
 * cores among the embed slots open in it. {@code threads} is a {@link SlotThreads} count or policy.
 */
record EmbedSlots(int slots, int threads, String described) {
  static EmbedSlots of(PipelineOptions runner) {
    int cores = Runtime.getRuntime().availableProcessors();
    String user = SlotThreads.userSetting();
    boolean flink = runner.getRunner() != null && runner.getRunner().getSimpleName().equals("FlinkRunner");
    SlotOptions o = runner.as(SlotOptions.class);
    boolean embedded = flink && (o.getFlinkMaster().equals("[local]") || o.getFlinkMaster().equals("[collection]"));
    int slots = o.getParallelism() != null && o.getParallelism() > 0 ? o.getParallelism() : embedded ? cores : -1;
    if (user != null) {
      return new EmbedSlots(slots, SlotThreads.ENGINE_DEFAULT, "OMP_NUM_THREADS=" + user + " (set by the user)");
    }
    if (!embedded) {
      return new EmbedSlots(slots, SlotThreads.PER_WORKER, "each worker's cores / the embed slots open in its JVM");
    }
    int threads = SlotThreads.perSlot(cores, slots);
    return new EmbedSlots(slots, threads, threads + " (" + cores + " cores / " + slots + " slots)");
  }
}
