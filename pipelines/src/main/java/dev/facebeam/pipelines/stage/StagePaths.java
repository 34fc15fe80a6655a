package dev.facebeam.pipelines.stage;

import java.nio.file.Path;

/** Paths that travel to workers: made absolute here, since a cluster's workers run in other folders. */
public final class StagePaths {
  private StagePaths() {}

  public static Path local(String path) {
    return Path.of(path).toAbsolutePath().normalize();
  }
}
