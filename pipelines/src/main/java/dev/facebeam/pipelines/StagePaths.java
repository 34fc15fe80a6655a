package dev.facebeam.pipelines;

import java.nio.file.Path;

/** Paths that travel to workers: made absolute here, since a cluster's workers run in other folders. */
final class StagePaths {
  private StagePaths() {}

  static Path local(String path) {
    return Path.of(path).toAbsolutePath().normalize();
  }
}
