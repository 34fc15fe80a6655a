package dev.facebeam.io;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.facebeam.proto.StageManifest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A stage's output folder, made atomic: everything is written into a hidden sibling folder, the
 * manifest last, and the folder is then renamed into place. A crash leaves the previous output (or
 * nothing) plus a hidden leftover that the next run removes.
 */
public final class StageOutput {
  public static final String MANIFEST = "manifest.json";
  private final Path target;
  private final Path work;

  private StageOutput(Path target, Path work) {
    this.target = target;
    this.work = work;
  }

  public static StageOutput begin(Path target) {
    Path abs = target.toAbsolutePath().normalize();
    try {
      Files.createDirectories(abs.getParent());
      removeLeftovers(abs);
      Path work = abs.resolveSibling("." + abs.getFileName() + ".inprogress-" + UUID.randomUUID());
      Files.createDirectories(work);
      return new StageOutput(abs, work);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare output " + target + ": " + e.getMessage(), e);
    }
  }

  private static void removeLeftovers(Path target) throws IOException {
    String prefix = "." + target.getFileName() + ".";
    try (DirectoryStream<Path> s = Files.newDirectoryStream(target.getParent(), prefix + "*")) {
      for (Path p : s) {
        String n = p.getFileName().toString();
        if (n.startsWith(prefix + "inprogress-") || n.startsWith(prefix + "replaced-")) {
          deleteTree(p);
        }
      }
    }
  }

  /** The folder to write into. */
  public Path work() {
    return work;
  }

  public Path target() {
    return target;
  }

  /** Writes the manifest (last) and renames the work folder into place, replacing an old output. */
  public void commit(StageManifest manifest) {
    try {
      Files.writeString(work.resolve(MANIFEST), toJson(manifest) + "\n", StandardCharsets.UTF_8);
      Path old = null;
      if (Files.exists(target)) {
        old = target.resolveSibling("." + target.getFileName() + ".replaced-" + UUID.randomUUID());
        Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
      }
      Files.move(work, target, StandardCopyOption.ATOMIC_MOVE);
      if (old != null) {
        deleteTree(old);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot commit output " + target + ": " + e.getMessage(), e);
    }
  }

  /** Removes the work folder after a failure. */
  public void abort() {
    try {
      deleteTree(work);
    } catch (IOException e) {
      // Best effort: the next run removes leftovers anyway.
    }
  }

  public static String toJson(StageManifest manifest) {
    try {
      return JsonFormat.printer().print(manifest);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The manifest of a committed stage output, or a clear error naming the folder. */
  public static StageManifest requireManifest(Path dir) {
    try {
      return readManifest(dir);
    } catch (IOException | RuntimeException e) {
      throw new dev.facebeam.codec.CodecException(dir.toString(),
          "not a stage output: no readable manifest.json (" + e.getMessage() + ")", e);
    }
  }

  public static StageManifest readManifest(Path dir) throws IOException {
    StageManifest.Builder b = StageManifest.newBuilder();
    JsonFormat.parser().merge(Files.readString(dir.resolve(MANIFEST), StandardCharsets.UTF_8), b);
    return b.build();
  }

  /** Removes a folder and everything below it; nothing there is fine. */
  public static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(q);
      }
    }
  }
}
