package dev.facebeam.pipelines.stage;

import java.nio.file.Path;

/** Paths that travel to workers: made absolute here, since a cluster's workers run in other folders. */
public final class StagePaths {
  private StagePaths() {}

  public static Path local(String path) {
    return Path.of(path).toAbsolutePath().normalize();
  }

  public static Path local(Path path) {
    return path.toAbsolutePath().normalize();
  }

  /** An optional path option's value as a path; null when it was not given. */
  public static Path given(String path) {
    return path == null ? null : Path.of(path);
  }
}
