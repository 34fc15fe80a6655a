package dev.facebeam.runners;

import dev.facebeam.io.StageOutput;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * One temporary folder per facebeam process (docs/outputs.md, "Nothing left behind"): the embedded
 * Flink's mini-cluster folders, its RPC jar, spill and shuffle files — everything that reads
 * {@code java.io.tmpdir} — lands in {@code facebeam-<pid>-*} (not what goes through
 * Files.createTempDirectory, which keeps the JVM's starting folder: see OnnxRuntimeLibrary),
 * removed when the process ends (normally, on failure, on Ctrl-C or SIGTERM), and by the next
 * command where a process was killed outright.
 */
final class ProcessTemp {
  private static final String PREFIX = "facebeam-";
  private static Path dir;

  private ProcessTemp() {}

  /** Points {@code java.io.tmpdir} at this process's folder (once), after clearing dead processes' folders. */
  static synchronized Path install() {
    if (dir != null) {
      return dir;
    }
    Path base = Path.of(System.getProperty("java.io.tmpdir"));
    try {
      Files.createDirectories(base);
      removeStale(base);
      Path made = Files.createDirectory(base.resolve(PREFIX + ProcessHandle.current().pid() + "-" + Long.toHexString(System.nanoTime())));
      Files.writeString(made.resolve(StageOutput.MARKER), "facebeam temporary folder of pid " + ProcessHandle.current().pid() + "\n");
      dir = made;
    } catch (IOException | RuntimeException e) {
      return null; // no folder of our own: the libraries use the system's as before
    }
    System.setProperty("java.io.tmpdir", dir.toString());
    Runtime.getRuntime().addShutdownHook(new Thread(ProcessTemp::cleanUp, "facebeam-temp-cleanup"));
    return dir;
  }

  /**
   * Removes this process's folder. Flink's own shutdown hooks run beside this one and may still be
   * writing into it (a blob store, a shuffle file being closed): what reappears is removed again,
   * for up to three seconds.
   */
  static synchronized void cleanUp() {
    if (dir == null) {
      return;
    }
    for (int attempt = 0; attempt < 15 && Files.exists(dir); attempt++) {
      delete(dir);
      if (Files.exists(dir)) {
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /**
   * Folders of facebeam processes that no longer run (killed with SIGKILL): only those carrying
   * facebeam's marker, like every temporary facebeam removes.
   */
  private static void removeStale(Path base) {
    try (DirectoryStream<Path> s = Files.newDirectoryStream(base, PREFIX + "*-*")) {
      for (Path p : s) {
        String[] parts = p.getFileName().toString().split("-");
        if (parts.length == 3 && parts[1].matches("\\d{1,10}") && Files.isRegularFile(p.resolve(StageOutput.MARKER))
            && ProcessHandle.of(Long.parseLong(parts[1])).filter(ProcessHandle::isAlive).isEmpty()) {
          delete(p);
        }
      }
    } catch (IOException | RuntimeException e) {
      // Best effort: another user's folder, or one being removed right now.
    }
  }

  static void delete(Path p) {
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(q);
      }
    } catch (IOException | RuntimeException e) {
      // Best effort at exit.
    }
  }
}
