package dev.facebeam.pipelines.run;

import dev.facebeam.pipelines.embed.EmbedParams;
import dev.facebeam.pipelines.embed.EmbedPipeline;
import dev.facebeam.pipelines.embed.ModelParams;
import dev.facebeam.pipelines.ingest.IngestParams;
import dev.facebeam.pipelines.ingest.IngestPipeline;
import dev.facebeam.pipelines.verify.VerifyJob;
import dev.facebeam.pipelines.verify.VerifyParams;
import java.nio.file.Path;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * One verification target's stages, as {@code evaluate} and {@code run} both chain them: each
 * stage gets its own parameters; {@code runner} only says where the pipelines run.
 */
public final class TargetStages {
  private TargetStages() {}

  public static void ingest(PipelineOptions runner, Path input, String format, Path out) {
    IngestPipeline.run(IngestParams.of(input, format, out), runner);
  }

  public static void embed(PipelineOptions runner, Path records, String model, ModelParams settings, Path out) {
    EmbedPipeline.run(EmbedParams.of(records, model, settings, out), runner);
  }

  public static VerifyJob.Report verify(PipelineOptions runner, Path embeddings, Path out, String target) {
    return VerifyJob.run(VerifyParams.of(embeddings, out, target), runner);
  }
}
