package dev.facebeam.io;

import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Stage files: framed protobuf records (each preceded by its varint length, as
 * {@code writeDelimitedTo} writes them), written to a temporary name and renamed into place.
 */
public final class StageFiles {
  private StageFiles() {}

  /** Shard file name, e.g. {@code part-00003-of-00010.pb}. */
  public static String shardName(int shard, int shards) {
    return String.format("part-%05d-of-%05d.pb", shard, shards);
  }

  /** What writes a file's or a folder's content at the path it is given. */
  @FunctionalInterface
  public interface Content {
    void writeTo(Path at) throws IOException;
  }

  /** What writes a file's content to a stream. */
  @FunctionalInterface
  public interface Body {
    void writeTo(OutputStream out) throws IOException;
  }

  /**
   * A file whole or not at all: the content is written to a new hidden sibling
   * ({@code .name.tmp-<uuid>}: never a file that was there before), then renamed over {@code file}.
   * A failure removes the sibling and leaves an earlier file as it was.
   */
  public static void replaceAtomically(Path file, Content content) throws IOException {
    Path tmp = file.resolveSibling(StageOutput.hidden(file, "tmp-" + java.util.UUID.randomUUID()));
    try {
      content.writeTo(tmp);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException | Error e) {
      cleanUp(tmp, e);
      throw e;
    }
  }

  /**
   * A stage's output file written whole or not at all, its SHA-256 computed from the bytes as they are
   * written and left beside it ({@link Digests#sidecar}) for the manifest: the driver then does not
   * read back what the workers wrote (5 GB of shards for a million faces took it ~20 s on one core).
   */
  public static void writeOutputAtomically(Path file, Body body) throws IOException {
    java.security.MessageDigest md = Digests.newSha256();
    replaceAtomically(file, tmp -> {
      try (OutputStream out = new BufferedOutputStream(new java.security.DigestOutputStream(Files.newOutputStream(tmp), md), 1 << 16)) {
        body.writeTo(out);
      }
    });
    Digests.writeSidecar(file, java.util.HexFormat.of().formatHex(md.digest()));
  }

  /** A streamed file whole or not at all (see {@link #replaceAtomically(Path, Content)}). */
  public static void writeAtomically(Path file, Body body) throws IOException {
    replaceAtomically(file, tmp -> {
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
        body.writeTo(out);
      }
    });
  }

  /**
   * A folder whole or not at all: built in a hidden sibling, then renamed into place; an earlier
   * folder there is removed just before (the caller has checked it may be replaced).
   */
  public static void replaceFolderAtomically(Path folder, Content content) throws IOException {
    Path tmp = folder.resolveSibling(StageOutput.hidden(folder, "tmp-" + java.util.UUID.randomUUID()));
    try {
      Files.createDirectories(tmp);
      content.writeTo(tmp);
      StageOutput.deleteTree(folder);
      Files.move(tmp, folder, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException | Error e) {
      cleanUp(tmp, e);
      throw e;
    }
  }

  /** Removes what a failed write left; a failure to remove it is kept with the first failure. */
  private static void cleanUp(Path tmp, Throwable first) {
    try {
      StageOutput.deleteTree(tmp);
    } catch (IOException e) {
      first.addSuppressed(e);
    }
  }

  public static void writeFramed(Path file, Iterable<? extends Message> messages) throws IOException {
    writeAtomically(file, out -> {
      for (Message m : messages) {
        m.writeDelimitedTo(out);
      }
    });
  }

  /** Writes a small file whole or not at all: to a hidden sibling, then renamed into place. */
  public static void writeAtomically(Path file, byte[] bytes) throws IOException {
    replaceAtomically(file, tmp -> Files.write(tmp, bytes));
  }

  public static void writeAtomically(Path file, String text) throws IOException {
    writeAtomically(file, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  public static <T extends Message> List<T> readFramed(Path file, Parser<T> parser) throws IOException {
    List<T> out = new ArrayList<>();
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      T m;
      while ((m = parser.parseDelimitedFrom(in)) != null) {
        out.add(m);
      }
    }
    return out;
  }
}
