package dev.facebeam.pipelines.verify;

import java.nio.file.Path;

/** What verify reads and writes: an embed output, the output folder and the target's name (null: the pack's). */
public record VerifyParams(Path embeddings, Path output, String target) {}
