package dev.facebeam.io;

import dev.facebeam.proto.FileDigest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Content hashes for manifests. */
public final class Digests {
  private Digests() {}

  /** Size and SHA-256 of a file; files above {@code maxHashBytes} get their size only. */
  public static FileDigest of(Path file, String name, long maxHashBytes) throws IOException {
    long size = Files.size(file);
    FileDigest.Builder b = FileDigest.newBuilder().setPath(name).setBytes(size);
    if (size <= maxHashBytes) {
      b.setSha256(sha256(file));
    }
    return b.build();
  }

  /**
   * Size and SHA-256 of a stage's output file: from the sidecar its writer left
   * ({@link StageFiles#writeOutputAtomically}) when that names the file's present size, else hashed
   * here. The sidecar is removed either way.
   */
  public static FileDigest ofOutput(Path file, String name) throws IOException {
    Path sidecar = sidecar(file);
    long size = Files.size(file);
    String sha = null;
    if (Files.isRegularFile(sidecar)) {
      String[] line = Files.readString(sidecar).trim().split(" ");
      if (line.length == 2 && line[1].equals(Long.toString(size)) && line[0].matches("[0-9a-f]{64}")) {
        sha = line[0];
      }
      Files.delete(sidecar);
    }
    return FileDigest.newBuilder().setPath(name).setBytes(size).setSha256(sha != null ? sha : sha256(file)).build();
  }

  /** Where the writer of {@code file} leaves its digest: the hidden sibling {@code .NAME.sha256}. */
  public static Path sidecar(Path file) {
    return file.resolveSibling(StageOutput.hidden(file, SIDECAR));
  }

  /** Whether a file in an output folder is a digest sidecar (never an output itself). */
  public static boolean isSidecar(Path file) {
    String name = file.getFileName().toString();
    return name.startsWith(".") && name.endsWith("." + SIDECAR);
  }

  private static final String SIDECAR = "sha256";

  static void writeSidecar(Path file, String sha256) throws IOException {
    StageFiles.writeAtomically(sidecar(file), sha256 + " " + Files.size(file) + "\n");
  }

  public static String sha256(Path file) throws IOException {
    MessageDigest md = newSha256();
    byte[] buf = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /** SHA-256 over strings, each followed by a zero byte (so ("ab", "c") and ("a", "bc") differ). */
  public static String sha256(String... parts) {
    MessageDigest md = newSha256();
    for (String p : parts) {
      md.update(p.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      md.update((byte) 0);
    }
    return HexFormat.of().formatHex(md.digest());
  }

  static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
