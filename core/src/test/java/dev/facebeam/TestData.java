package dev.facebeam;

import static org.junit.Assume.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the real fixtures of ../shared/data are (never copied into the repo). */
public final class TestData {
  private TestData() {}

  public static Path shared() {
    String p = System.getProperty("facebeam.sharedData");
    Path dir = p != null ? Path.of(p) : Path.of("../../shared/data");
    if (!Files.isDirectory(dir)) {
      dir = Path.of("../shared/data");
    }
    assumeTrue("real fixtures not found at " + dir, Files.isDirectory(dir));
    return dir.toAbsolutePath().normalize();
  }

  public static Path file(String relative) {
    return shared().resolve(relative);
  }
}
