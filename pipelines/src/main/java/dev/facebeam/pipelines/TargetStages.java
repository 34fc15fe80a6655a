package dev.facebeam.pipelines;

import java.nio.file.Path;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * One verification target's stages, as {@code evaluate} and {@code run} both chain them: each
 * stage gets its own parameters; {@code runner} only says where the pipelines run.
 */
final class TargetStages {
  private TargetStages() {}

  static void ingest(PipelineOptions runner, Path input, String format, Path out) {
    IngestPipeline.run(IngestParams.of(input, format, out), runner);
  }

  static void embed(PipelineOptions runner, Path records, String model, ModelParams settings, Path out) {
    EmbedPipeline.run(EmbedParams.of(records, model, settings, out), runner);
  }

  static VerifyJob.Report verify(PipelineOptions runner, Path embeddings, Path out, String target) {
    return VerifyJob.run(VerifyParams.of(embeddings, out, target), runner);
  }
}
