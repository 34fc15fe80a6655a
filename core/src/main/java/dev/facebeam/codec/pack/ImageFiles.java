package dev.facebeam.codec.pack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads an image file from inside a pack, bounded in size. */
public final class ImageFiles {
  /** No face image is anywhere near this; a larger file is refused before it is read. */
  static final long MAX_FILE_BYTES = 64L << 20;

  private ImageFiles() {}

  public static byte[] read(Path p) throws IOException {
    java.nio.file.attribute.BasicFileAttributes a;
    try {
      a = Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class); // one stat, links followed
    } catch (java.nio.file.NoSuchFileException e) {
      throw new IOException("no such image file");
    }
    if (!a.isRegularFile()) {
      throw new IOException(a.isDirectory() ? "a folder, not an image file" : "not a regular file (" + kind(p) + "): not read");
    }
    if (a.size() > MAX_FILE_BYTES) {
      throw new IOException("image file of " + a.size() + " bytes is above the " + MAX_FILE_BYTES + "-byte limit");
    }
    return Files.readAllBytes(p);
  }

  /** What a path that is neither a regular file nor a folder is: "a FIFO", "a socket", a device. */
  static String kind(Path p) {
    try {
      Object mode = Files.getAttribute(p, "unix:mode");
      int type = mode instanceof Integer m ? m & 0170000 : 0;
      return switch (type) {
        case 0010000 -> "a FIFO";
        case 0140000 -> "a socket";
        case 0020000 -> "a character device";
        case 0060000 -> "a block device";
        default -> "not a file or folder";
      };
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return "not a file or folder";
    }
  }

  /** Why a listed file cannot be opened by its name: Java decodes file names with sun.jnu.encoding, set from the locale. */
  static String undecodableName() {
    return "its file name holds bytes this JVM's file-name encoding (" + System.getProperty("sun.jnu.encoding")
        + ", from the locale) cannot represent: rename the file, or run with a UTF-8 locale (LANG=C.UTF-8) if the name is UTF-8";
  }

  static boolean looksLikeImage(String name) {
    String n = name.toLowerCase();
    return n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".png") || n.endsWith(".pgm") || n.endsWith(".bmp");
  }
}
