package dev.facebeam.pipelines;

import java.nio.file.Path;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * One verification target's stages, as {@code evaluate} and {@code run} both chain them. Beam gives
 * every options interface one shared property map, so each stage's paths are set on the same
 * options in turn; the model's settings are whatever the caller left there.
 */
final class TargetStages {
  private TargetStages() {}

  static void ingest(PipelineOptions o, Path input, String format, Path out) {
    IngestOptions i = o.as(IngestOptions.class);
    i.setInput(input.toString());
    i.setOutput(out.toString());
    i.setFormat(format);
    IngestPipeline.run(i);
  }

  static void embed(PipelineOptions o, Path records, Path out) {
    EmbedOptions e = o.as(EmbedOptions.class);
    e.setRecords(records.toString());
    e.setOutput(out.toString());
    EmbedPipeline.run(e);
  }

  static VerifyJob.Report verify(PipelineOptions o, Path embeddings, Path out, String target) {
    VerifyOptions v = o.as(VerifyOptions.class);
    v.setEmbeddings(embeddings.toString());
    v.setOutput(out.toString());
    v.setTarget(target);
    return VerifyJob.run(v);
  }
}
