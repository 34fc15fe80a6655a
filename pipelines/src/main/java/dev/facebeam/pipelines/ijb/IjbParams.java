package dev.facebeam.pipelines.ijb;

import dev.facebeam.ijb.IjbMode;
import java.nio.file.Path;

/**
 * What ijb reads and writes: the testsuite folder, the faces' features, the output folder, the mode,
 * the target (null: told by the meta files) and the method's name in the table (null: from the features).
 */
public record IjbParams(Path input, Features features, Path output, IjbMode mode, String target, String method) {

  /** The faces' features, in one of the two forms users have them. */
  public sealed interface Features permits Embedded, Npy {
    Path path();
  }

  /** The embed output of an ingested testsuite: each face's original and mirrored embeddings. */
  public record Embedded(Path path) implements Features {}

  /**
   * A .npy of one row per face: [original | mirrored] (N x 2d), or with {@code fused} one vector per
   * face (N x d), the F part of the mode then not applying.
   */
  public record Npy(Path path, boolean fused) implements Features {}

  /** An embed output of an ingested testsuite scored in one mode, as {@code run} and {@code evaluate} chain it. */
  public static IjbParams ofEmbedded(Path root, Path embeddings, Path output, IjbMode mode, String target) {
    return new IjbParams(root, new Embedded(embeddings), output, mode, target, null);
  }
}
