package dev.facebeam.pipelines.run;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * What {@code run} is asked: the config, the work folder, the stages to run, the stage to rerun from
 * (null: none), whether to force, the results store (null: beside the work folder) and the store's
 * other models to show in report.html.
 */
public record RunParams(Path config, Path workdir, Set<StageName> stages, StageName from, boolean force, Path results,
    List<String> models) {}
