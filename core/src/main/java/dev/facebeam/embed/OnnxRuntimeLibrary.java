package dev.facebeam.embed;

import ai.onnxruntime.OrtEnvironment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;

/**
 * ONNX Runtime's process-wide environment, loaded once (docs/outputs.md, "Nothing left behind").
 * Loading extracts the native library into {@code onnxruntime-java<digits>} under the JDK's temporary
 * folder — the one the JVM started with, which setting java.io.tmpdir later does not move — and ONNX
 * Runtime 1.21 leaves that folder behind, empty, at exit. The folder this load made is removed as
 * soon as the library is in memory (Linux keeps a loaded library mapped after its file is unlinked).
 */
public final class OnnxRuntimeLibrary {
  private static final String PREFIX = "onnxruntime-java";
  private static OrtEnvironment env;

  private OnnxRuntimeLibrary() {}

  /** The environment, made through DJL's engine first (it creates it with its own thread pool). */
  public static synchronized OrtEnvironment environment() {
    if (env != null) {
      return env;
    }
    Path tmp = jdkTemp();
    Set<Path> before = extracted(tmp);
    try {
      ai.djl.engine.Engine.getEngine("OnnxRuntime");
    } catch (RuntimeException e) {
      // no DJL ONNX Runtime engine here: ONNX Runtime's own environment serves as well
    }
    env = OrtEnvironment.getEnvironment();
    for (Path p : extracted(tmp)) {
      if (!before.contains(p)) {
        delete(p);
      }
    }
    return env;
  }

  /** The folder Files.createTempDirectory uses (the JVM's starting java.io.tmpdir), or null. */
  private static Path jdkTemp() {
    try {
      Path probe = Files.createTempFile("facebeam-", ".probe");
      Files.deleteIfExists(probe);
      return probe.getParent();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static Set<Path> extracted(Path tmp) {
    Set<Path> out = new HashSet<>();
    if (tmp == null) {
      return out;
    }
    try (Stream<Path> s = Files.list(tmp)) {
      s.filter(p -> p.getFileName().toString().startsWith(PREFIX) && Files.isDirectory(p)).forEach(out::add);
    } catch (IOException | RuntimeException e) {
      // best effort: nothing removed
    }
    return out;
  }

  private static void delete(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      for (Path f : (Iterable<Path>) s::iterator) {
        Files.deleteIfExists(f);
      }
      Files.deleteIfExists(dir);
    } catch (IOException | RuntimeException e) {
      // best effort: ONNX Runtime's own clean-up may still remove it
    }
  }
}
