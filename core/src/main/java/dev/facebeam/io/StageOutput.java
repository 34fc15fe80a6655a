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
  /** Inside every temporary folder facebeam makes: what marks it as ours, so that only ours are ever removed. */
  public static final String MARKER = ".facebeam-temporary";
  private static final String MARKER_TEXT = "facebeam temporary of ";
  /** A file name's limit on Linux file systems, in bytes. */
  static final int NAME_BYTES = 255;
  private final Path target;
  private final Path work;
  private final OutputLock lock;

  private StageOutput(Path target, Path work, OutputLock lock) {
    this.target = target;
    this.work = work;
    this.lock = lock;
  }

  /**
   * Takes the output's lock (one writer at a time), removes what an earlier crashed run of ours
   * left, and makes the hidden work folder. On failure nothing is left: no lock, no folder, none of
   * the parents this call made.
   */
  public static StageOutput begin(Path target) {
    Path abs = target.toAbsolutePath().normalize();
    List<Path> made = new java.util.ArrayList<>();
    OutputLock lock = null;
    try {
      made = createParents(abs.getParent());
      lock = OutputLock.acquire(abs, abs.resolveSibling(hidden(abs, "lock")));
      removeLeftovers(abs);
      // Made and marked under another name, then renamed: a kill at any moment leaves no unmarked
      // ".inprogress-" folder, which the next run could not tell from a user's.
      String id = UUID.randomUUID().toString();
      Path fresh = abs.resolveSibling(hidden(abs, "new-" + id));
      Files.createDirectory(fresh);
      mark(fresh, abs);
      Path work = abs.resolveSibling(hidden(abs, "inprogress-" + id));
      Files.move(fresh, work, StandardCopyOption.ATOMIC_MOVE);
      return new StageOutput(abs, work, lock);
    } catch (IOException | RuntimeException e) {
      if (lock != null) {
        lock.close();
      }
      removeMade(made);
      if (e instanceof UserInputException u) {
        throw u;
      }
      throw new UserInputException(abs.toString(), "cannot prepare the output: " + describe(e), e);
    }
  }

  /**
   * The hidden sibling name {@code .NAME.suffix}; a NAME so long that this would pass the file
   * system's 255 bytes is cut and followed by a hash of it, so every name that is legal is usable.
   */
  static String hidden(Path target, String suffix) {
    String name = target.getFileName().toString();
    byte[] bytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    if (bytes.length + suffix.length() + 2 > NAME_BYTES - 8) {
      int end = 0; // whole code points only, up to 100 bytes
      for (int used = 0, cp; end < name.length(); end += Character.charCount(cp)) {
        cp = name.codePointAt(end);
        used += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        if (used > 100) {
          break;
        }
      }
      name = name.substring(0, end) + "~" + Digests.sha256(name).substring(0, 16);
    }
    return "." + name + "." + suffix;
  }

  private static void mark(Path folder, Path target) throws IOException {
    Files.writeString(folder.resolve(MARKER), MARKER_TEXT + target + " (pid " + ProcessHandle.current().pid() + ")\n",
        java.nio.charset.StandardCharsets.UTF_8);
  }

  private static boolean marked(Path folder) {
    try {
      return Files.isDirectory(folder, java.nio.file.LinkOption.NOFOLLOW_LINKS)
          && Files.readString(folder.resolve(MARKER), java.nio.charset.StandardCharsets.UTF_8).startsWith(MARKER_TEXT);
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** A folder holding nothing, or nothing but facebeam's marker. */
  private static boolean onlyMarker(Path folder) {
    if (!Files.isDirectory(folder, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    try (Stream<Path> s = Files.list(folder)) {
      return s.allMatch(f -> f.getFileName().toString().equals(MARKER));
    } catch (IOException e) {
      return false;
    }
  }

  /** Creates {@code dir} and its missing parents; returns the ones it made, deepest first. */
  private static List<Path> createParents(Path dir) throws IOException {
    List<Path> missing = new java.util.ArrayList<>();
    for (Path p = dir; p != null && !Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS); p = p.getParent()) {
      missing.add(p);
    }
    List<Path> made = new java.util.ArrayList<>();
    try {
      for (int i = missing.size() - 1; i >= 0; i--) {
        Files.createDirectory(missing.get(i));
        made.add(0, missing.get(i));
      }
    } catch (IOException | RuntimeException e) {
      removeMade(made);
      throw e;
    }
    return made;
  }

  private static void removeMade(List<Path> made) {
    for (Path p : made) {
      try {
        Files.deleteIfExists(p); // only while still empty
      } catch (IOException e) {
        return;
      }
    }
  }

  private static String describe(Throwable e) {
    if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
      return f.getReason() + (f.getFile() == null ? "" : " (" + f.getFile() + ")");
    }
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }

  /**
   * Removes the temporaries an earlier run of this stage left (a crash, a kill): only folders that
   * carry facebeam's marker, and only while we hold the output's lock, so no running writer's
   * folder is touched. A folder named like one but without the marker is the user's: an error.
   */
  private static void removeLeftovers(Path target) throws IOException {
    String prefix = hidden(target, "");
    try (DirectoryStream<Path> s = Files.newDirectoryStream(target.getParent())) {
      for (Path p : s) {
        String n = p.getFileName().toString();
        if (n.startsWith(prefix + "new-") && onlyMarker(p)) {
          deleteTree(p); // killed while being made: empty, or holding nothing but the marker
          continue;
        }
        if (n.startsWith(prefix + "inprogress-") || n.startsWith(prefix + "replaced-") || n.startsWith(prefix + "new-")) {
          if (!marked(p)) {
            throw new UserInputException(p.toString(), "is named like a facebeam temporary of " + target
                + " but facebeam did not make it (no " + MARKER + " inside); refusing to remove it: rename or remove it yourself");
          }
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

  /** The lock, so a test can let it go as a killed process would. */
  AutoCloseable lockForTest() {
    return lock;
  }

  /** Writes the manifest (last) and renames the work folder into place, replacing an old output. */
  public void commit(StageManifest manifest) {
    try {
      Files.writeString(work.resolve(MANIFEST), toJson(manifest) + "\n", StandardCharsets.UTF_8);
      Path old = null;
      if (Files.exists(target)) {
        old = target.resolveSibling(hidden(target, "replaced-" + UUID.randomUUID()));
        mark(target, target); // the earlier output, about to be set aside: ours to remove after a crash
        Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
      }
      Files.move(work, target, StandardCopyOption.ATOMIC_MOVE);
      Files.delete(target.resolve(MARKER));
      if (old != null) {
        deleteTree(old);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot commit output " + target + ": " + e.getMessage(), e);
    } finally {
      lock.close();
    }
  }

  /** Removes the work folder after a failure. */
  public void abort() {
    try {
      deleteTree(work);
    } catch (IOException e) {
      // Best effort: the next run removes leftovers anyway (they carry the marker).
    } finally {
      lock.close();
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
    requireCounts(dir, m);
    return m;
  }

  /**
   * The manifest's counts against what its files hold (issue 23: an edited {@code "written": 19} of
   * 20 was believed): the records of its shards (length prefixes walked, bodies skipped) must be its
   * {@code written}, the lines of {@code rejects.jsonl} its {@code rejected}, and read = written + rejected.
   */
  static void requireCounts(Path dir, StageManifest m) {
    String again = "; rerun the " + m.getStage() + " stage into this folder";
    Path manifest = dir.resolve(MANIFEST);
    if (m.getShardsCount() > 0) {
      long records = 0;
      for (String shard : m.getShardsList()) {
        records += countFramed(dir.resolve(shard));
      }
      if (records != m.getWritten()) {
        throw new UserInputException(manifest.toString(), "says written " + m.getWritten() + " but its " + m.getShardsCount()
            + " shards hold " + records + " records: edited or damaged" + again);
      }
      if (m.getRead() != m.getWritten() + m.getRejected()) {
        throw new UserInputException(manifest.toString(), "says read " + m.getRead() + " but written " + m.getWritten()
            + " + rejected " + m.getRejected() + ": edited" + again);
      }
    }
    Path rejects = dir.resolve("rejects.jsonl");
    boolean listed = m.getOutputsList().stream().anyMatch(d -> d.getPath().equals("rejects.jsonl"));
    if (listed && m.getShardsCount() > 0) {
      long lines;
      try (Stream<String> s = Files.lines(rejects, StandardCharsets.UTF_8)) {
        lines = s.filter(l -> !l.isBlank()).count();
      } catch (IOException | java.io.UncheckedIOException e) {
        throw new UserInputException(rejects.toString(), "cannot read: " + e.getMessage(), e);
      }
      if (lines != m.getRejected()) {
        throw new UserInputException(manifest.toString(), "says rejected " + m.getRejected() + " but rejects.jsonl holds "
            + lines + " rejects: edited or damaged" + again);
      }
    }
  }

  /** The number of varint-length-prefixed records in a shard, their bodies skipped; a cut record is an error naming it. */
  static long countFramed(Path shard) {
    try (java.io.InputStream in = new java.io.BufferedInputStream(Files.newInputStream(shard), 1 << 16)) {
      com.google.protobuf.CodedInputStream c = com.google.protobuf.CodedInputStream.newInstance(in);
      c.setSizeLimit(Integer.MAX_VALUE);
      long n = 0;
      while (!c.isAtEnd()) {
        int len = c.readRawVarint32();
        if (len < 0) {
          throw new UserInputException(shard + "#record=" + n, "negative record length");
        }
        c.skipRawBytes(len);
        c.resetSizeCounter();
        n++;
      }
      return n;
    } catch (IOException e) {
      throw new UserInputException(shard.toString(), "cut short or unreadable: " + e.getMessage(), e);
    }
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
