package dev.facebeam.pipelines.allpairs;

import java.nio.file.Path;
import java.util.List;

/**
 * What all-pairs reads and writes: the labelled embeddings in one of two forms, an optional group
 * file and query file (cross mode), the target FARs (with the text given, which the manifest records),
 * the block side, how blocks are scored ({@code engine}: a DJL engine's name, or "canonical"), the
 * benchmark's name in the results store and the output.
 */
public record AllPairsParams(Source source, Path groups, Path queries, List<Double> far, String farText, int blockRows,
    String engine, String benchmark, Path output) {

  /** The labelled embeddings, in the forms users have them. */
  public sealed interface Source permits Embedded, Npy {
    /** The files read, for the output rule. */
    List<Path> paths();
  }

  /** An embed output of an ingested labelled pack: each record carries its label. */
  public record Embedded(Path dir) implements Source {
    public List<Path> paths() {
      return List.of(dir);
    }
  }

  /** A .npy matrix and a label list, line i for row i. */
  public record Npy(Path matrix, Path labels) implements Source {
    public List<Path> paths() {
      return List.of(matrix, labels);
    }
  }
}
