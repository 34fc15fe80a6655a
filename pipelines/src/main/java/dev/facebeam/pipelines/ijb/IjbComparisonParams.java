package dev.facebeam.pipelines.ijb;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@code ijb --scoresNpy} compares: the testsuite folder, each method's pair scores (one .npy
 * each, in pair-file order), the methods' names (empty: the file names), the output folder and the
 * target (null: told by the meta files).
 */
public record IjbComparisonParams(Path input, List<Path> scores, List<String> labels, Path output, String target) {}
