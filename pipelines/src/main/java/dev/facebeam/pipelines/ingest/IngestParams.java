package dev.facebeam.pipelines.ingest;

import java.nio.file.Path;

/**
 * What ingest reads and writes: the pack, the output folder, the pack's format ({@code auto}: told
 * by its files), a folder for PNGs of the aligned faces and the root a .lst's paths stay in (both
 * may be null), and the records per shard.
 */
public record IngestParams(Path input, Path output, String format, Path exportImages, Path imageRoot, int recordsPerShard) {}
