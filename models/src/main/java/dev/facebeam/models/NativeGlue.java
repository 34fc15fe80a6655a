package dev.facebeam.models;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Loads one of facebeam's small JNI libraries (libjpeg-turbo's decoder glue, the libtorch block cache),
 * which the build compiles with gcc into the classes under {@code native/linux-x86_64/} where it can,
 * and which travel in the jar.
 */
public final class NativeGlue {
  private NativeGlue() {}

  /**
   * Loads {@code native/linux-x86_64/lib<name>.so} from {@code owner}'s class path; null when loaded, else
   * why not ({@code missing}: what to say where the jar was built without it).
   */
  public static String load(Class<?> owner, String name, String missing) {
    if (!System.getProperty("os.name", "").startsWith("Linux") || !System.getProperty("os.arch", "").equals("amd64")) {
      return "built for Linux x86-64 only";
    }
    try (InputStream in = owner.getResourceAsStream("/native/linux-x86_64/lib" + name + ".so")) {
      if (in == null) {
        return "not built with this jar (" + missing + ")";
      }
      Path file = Files.createTempFile(name, ".so");
      try {
        Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        System.load(file.toString());
      } finally {
        Files.deleteIfExists(file); // Linux keeps a loaded library mapped after its file is unlinked
      }
      return null;
    } catch (IOException | UnsatisfiedLinkError | SecurityException e) {
      return "cannot load it: " + e.getMessage();
    }
  }
}
