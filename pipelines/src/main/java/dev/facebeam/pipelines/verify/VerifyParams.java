package dev.facebeam.pipelines.verify;

import java.nio.file.Path;

/** What verify reads and writes: an embed output, the output folder and the target's name (null: the pack's). */
public record VerifyParams(String embeddings, String output, String target) {
  public static VerifyParams of(VerifyOptions o) {
    return new VerifyParams(o.getEmbeddings(), o.getOutput(), o.getTarget());
  }

  public static VerifyParams of(Path embeddings, Path output, String target) {
    return new VerifyParams(embeddings.toString(), output.toString(), target);
  }
}
