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

  public static void writeFramed(Path file, Iterable<? extends Message> messages) throws IOException {
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
      for (Message m : messages) {
        m.writeDelimitedTo(out);
      }
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Writes a small file whole or not at all: to a hidden sibling, then renamed into place. */
  public static void writeAtomically(Path file, byte[] bytes) throws IOException {
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
    Files.write(tmp, bytes);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  public static void writeAtomically(Path file, String text) throws IOException {
    writeAtomically(file, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** Writes already-framed bytes (each element one delimited message) atomically. */
  public static void writeFramedBytes(Path file, Iterable<byte[]> framed) throws IOException {
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
      for (byte[] b : framed) {
        out.write(b);
      }
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
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
