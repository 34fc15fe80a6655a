package dev.facebeam.packs;

import dev.facebeam.align.FacePreparation;
import dev.facebeam.codec.image.ImageCodec;
import dev.facebeam.codec.pack.FacePack;
import dev.facebeam.codec.pack.FaceSink;
import dev.facebeam.io.StageFiles;
import dev.facebeam.proto.FaceRecord;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One ingest task whole: the pack's task read, each face decoded and aligned, the aligned records
 * written in reading order into one shard file (whole or not at all), and what became of every face
 * reported. One face is held at a time: a task's memory does not grow with its size, and nothing is
 * handed to the runner but the outcomes (docs/ingest.md).
 */
public final class ShardIngest {
  private ShardIngest() {}

  /** What became of each face read: exactly one call per face. */
  public interface Outcomes {
    /** Written into the shard, aligned. */
    void written(FaceRecord aligned);

    /** Not written, with the reason for rejects.jsonl (reading's or aligning's). */
    void rejected(String id, String source, String reason);
  }

  /**
   * Reads {@code task} of {@code pack} into {@code shard}; with {@code pngDir} each aligned face is also
   * written there as {@code <id>.png}. An unreadable file fails the task with the file named (losing a
   * slice silently would break read = written + rejected); a failed task leaves no shard.
   */
  public static void run(FacePack pack, Serializable task, Path shard, Path pngDir, Outcomes outcomes) throws IOException {
    if (pngDir != null) {
      Files.createDirectories(pngDir);
    }
    try {
      StageFiles.writeOutputAtomically(shard, out -> pack.read(task, new Writer(out, pngDir, outcomes)));
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private record Writer(OutputStream out, Path pngDir, Outcomes outcomes) implements FaceSink {
    @Override
    public void face(FaceRecord raw) {
      FacePreparation.Prepared prepared;
      try {
        // The PNG export needs every face's pixels; without it a stored crop passes through undecoded.
        prepared = pngDir != null ? FacePreparation.prepareWithPixels(raw) : FacePreparation.prepare(raw);
      } catch (FacePreparation.RejectedFace e) {
        outcomes.rejected(raw.getId(), raw.getSource(), e.getMessage());
        return;
      }
      try {
        if (pngDir != null) {
          exportPng(prepared);
        }
        prepared.record().writeDelimitedTo(out);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      outcomes.written(prepared.record());
    }

    private void exportPng(FacePreparation.Prepared prepared) throws IOException {
      Path target = pngDir.resolve(prepared.record().getId() + ".png");
      try {
        StageFiles.writeAtomically(target, ImageCodec.encodePng(prepared.pixels()));
      } catch (IOException e) {
        throw new IOException("cannot export " + target + ": " + e.getMessage(), e);
      }
    }

    @Override
    public void reject(String id, String source, String reason) {
      outcomes.rejected(id, source, reason);
    }
  }
}
