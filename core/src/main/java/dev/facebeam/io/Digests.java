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

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
