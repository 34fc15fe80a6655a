package dev.facebeam.pipelines.embed;

import java.nio.file.Path;

/**
 * What embed reads and writes, as values: made once from {@link EmbedOptions} at the command line,
 * or by {@code evaluate} and {@code run} for each target (no exports, default shard size).
 */
public record EmbedParams(String records, String model, String output, ModelParams settings, boolean exportNpy,
    String exportDevkit, String algo, int embeddingsPerShard) {
  public static final String ALGO = "facebeam";
  public static final int EMBEDDINGS_PER_SHARD = 20000;

  public static EmbedParams of(EmbedOptions o) {
    return new EmbedParams(o.getRecords(), o.getModel(), o.getOutput(), ModelParams.of(o), o.getExportNpy(),
        o.getExportDevkit(), o.getAlgo(), o.getEmbeddingsPerShard());
  }

  /** An ingest output embedded by a model into an output folder, nothing exported. */
  public static EmbedParams of(Path records, String model, ModelParams settings, Path output) {
    return new EmbedParams(records.toString(), model, output.toString(), settings, false, null, ALGO, EMBEDDINGS_PER_SHARD);
  }
}
