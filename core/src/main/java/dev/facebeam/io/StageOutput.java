package dev.facebeam.io;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.facebeam.UserInputException;
import dev.facebeam.proto.StageManifest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
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

  /**
   * The manifest as JSON with every field present (a zero count is written as 0) and counts as JSON
   * numbers: protobuf's JSON form quotes 64-bit integers, which {@code jq .read + 1} cannot add.
   */
  public static String toJson(StageManifest manifest) {
    try {
      String proto = JsonFormat.printer().alwaysPrintFieldsWithNoPresence().print(manifest);
      com.google.gson.JsonObject tree = com.google.gson.JsonParser.parseString(proto).getAsJsonObject();
      unquoteIntegers(tree, manifest.getDescriptorForType());
      return new com.google.gson.GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(tree);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void unquoteIntegers(com.google.gson.JsonObject json, com.google.protobuf.Descriptors.Descriptor type) {
    for (com.google.protobuf.Descriptors.FieldDescriptor f : type.getFields()) {
      com.google.gson.JsonElement v = json.get(f.getJsonName());
      if (v == null) {
        continue;
      }
      boolean int64 = switch (f.getType()) {
        case INT64, UINT64, SINT64, FIXED64, SFIXED64 -> true;
        default -> false;
      };
      if (f.getType() == com.google.protobuf.Descriptors.FieldDescriptor.Type.MESSAGE && !f.isMapField()) {
        for (com.google.gson.JsonElement e : f.isRepeated() ? v.getAsJsonArray() : List.of(v)) {
          unquoteIntegers(e.getAsJsonObject(), f.getMessageType());
        }
      } else if (int64 && !f.isRepeated()) {
        json.add(f.getJsonName(), new com.google.gson.JsonPrimitive(Long.parseLong(v.getAsString())));
      }
    }
  }

  /** The manifest of a committed stage output, or a clear error naming the folder. */
  public static StageManifest requireManifest(Path dir) {
    try {
      return readManifest(dir);
    } catch (IOException | RuntimeException e) {
      throw new UserInputException(dir.toString(),
          "not a stage output: no readable manifest.json (" + e.getMessage() + ")", e);
    }
  }

  /**
   * The manifest of a committed output whose files are as the stage wrote them: each file the
   * manifest lists must be there with its size and SHA-256, else an error naming the file — a shard
   * cut short or edited is caught here, before any record of it is parsed.
   */
  public static StageManifest requireIntact(Path dir) {
    StageManifest m = requireManifest(dir);
    for (dev.facebeam.proto.FileDigest d : m.getOutputsList()) {
      Path f = dir.resolve(d.getPath());
      String again = "; rerun the " + m.getStage() + " stage into this folder";
      try {
        if (!Files.isRegularFile(f)) {
          throw new UserInputException(f.toString(), "is listed in " + MANIFEST + " but missing" + again);
        }
        long size = Files.size(f);
        if (size != d.getBytes()) {
          throw new UserInputException(f.toString(), "has " + size + " bytes but " + MANIFEST + " says "
              + d.getBytes() + ": cut short or changed after the stage wrote it" + again);
        }
        if (!d.getSha256().isEmpty() && !Digests.sha256(f).equals(d.getSha256())) {
          throw new UserInputException(f.toString(), "its SHA-256 differs from the one in " + MANIFEST
              + ": corrupted or changed after the stage wrote it" + again);
        }
      } catch (IOException e) {
        throw new UserInputException(f.toString(), "cannot read: " + e.getMessage(), e);
      }
    }
    return m;
  }

  public static StageManifest readManifest(Path dir) throws IOException {
    return readManifest(dir, MANIFEST);
  }

  /** A manifest under another name (pack's {@code <file>.manifest.json} beside the files it wrote). */
  public static StageManifest readManifest(Path dir, String name) throws IOException {
    StageManifest.Builder b = StageManifest.newBuilder();
    JsonFormat.parser().ignoringUnknownFields().merge(Files.readString(dir.resolve(name), StandardCharsets.UTF_8), b);
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
