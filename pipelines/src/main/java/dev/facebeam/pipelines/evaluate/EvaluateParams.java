package dev.facebeam.pipelines.evaluate;

import dev.facebeam.pipelines.embed.ModelParams;
import java.nio.file.Path;
import java.util.List;

/**
 * What evaluate reads and writes: the dataset folder, the model, how to run it, the output, the
 * targets in table order, an optional IJB testsuite and the results store (null: beside the output).
 */
public record EvaluateParams(Path dataset, Path model, ModelParams settings, Path output, List<String> targets, Path ijb,
    Path results) {}
