package dev.facebeam.codec.pack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads an image file from inside a pack, bounded in size. */
final class ImageFiles {
  /** No face image is anywhere near this; a larger file is refused before it is read. */
  static final long MAX_FILE_BYTES = 64L << 20;

  private ImageFiles() {}

  static byte[] read(Path p) throws IOException {
    if (!Files.isRegularFile(p)) {
      throw new IOException("no such image file");
    }
    long size = Files.size(p);
    if (size > MAX_FILE_BYTES) {
      throw new IOException("image file of " + size + " bytes is above the " + MAX_FILE_BYTES + "-byte limit");
    }
    return Files.readAllBytes(p);
  }

  static boolean looksLikeImage(String name) {
    String n = name.toLowerCase();
    return n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".png") || n.endsWith(".pgm") || n.endsWith(".bmp");
  }
}
