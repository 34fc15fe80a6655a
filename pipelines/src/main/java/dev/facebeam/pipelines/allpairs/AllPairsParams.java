package dev.facebeam.pipelines.allpairs;

import java.nio.file.Path;
import java.util.List;

/**
 * What all-pairs reads and writes: the embeddings matrix and its labels, an optional group file,
 * the target FARs (with the text given, which the manifest records), the block side and the output.
 */
public record AllPairsParams(Path embeddingsNpy, Path labels, Path groups, List<Double> far, String farText, int blockRows,
    Path output) {}
