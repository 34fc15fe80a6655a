package dev.facebeam.pipelines.stage;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * The two Flink runner settings embed reads to divide cores among slots, under the names, types and
 * defaults of Beam's {@code FlinkPipelineOptions} (Beam requires one default per option name), so the
 * pipelines need not depend on the Flink runner.
 */
public interface SlotOptions extends PipelineOptions {
  @Description("Address of the Flink Master: host:port, [local], [collection] or [auto]")
  @Default.String("[auto]")
  String getFlinkMaster();

  void setFlinkMaster(String value);

  @Description("Slots the job runs in (-1: Flink's default)")
  @Default.Integer(-1)
  Integer getParallelism();

  void setParallelism(Integer value);
}
