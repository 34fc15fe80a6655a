package dev.facebeam.pipelines.embed;

import java.nio.file.Path;

/**
 * What embed reads and writes: an ingest output, the model, the output folder, how to run the model,
 * the exports asked for (NumPy arrays; a devkit feature folder, may be null, with its algorithm
 * name) and the embeddings per shard.
 */
public record EmbedParams(Path records, Path model, Path output, ModelParams settings, boolean exportNpy, Path exportDevkit,
    String algo, int embeddingsPerShard) {}
