package dev.facebeam.runners;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where the libraries' own logging goes (Flink, Beam, DJL: everything through SLF4J): a file per
 * process in {@code ~/.facebeam/logs} ({@code FACEBEAM_LOG_DIR} or {@code -Dfacebeam.logDir}), so
 * that a failure inside a Flink job shows facebeam's one line on the console and names this file
 * for the whole story. A command that succeeds removes its log; the newest {@link #KEEP} are kept.
 */
final class RunLog {
  static final String DIR_PROPERTY = "facebeam.logDir";
  private static final String LOG_FILE = "org.slf4j.simpleLogger.logFile";
  private static final int KEEP = 20;
  private static Path file;

  private RunLog() {}

  /** Sends SLF4J's output to this process's log file (once, before any logger exists); the file, or null where the console keeps it. */
  static synchronized Path start() {
    if (file != null) {
      return file;
    }
    if (System.getProperty(LOG_FILE) != null) {
      return null; // the user chose where logging goes
    }
    try {
      Path dir = dir();
      Files.createDirectories(dir);
      prune(dir);
      file = dir.resolve("facebeam-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
          + "-" + ProcessHandle.current().pid() + ".log");
      System.setProperty(LOG_FILE, file.toString());
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
      System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
      return file;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** The log file when it holds anything (a failure before any library logged has nothing to show), else null. */
  static synchronized Path written() {
    try {
      return file != null && Files.size(file) > 0 ? file : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** The log of a command that succeeded says nothing a user needs. */
  static synchronized void discard() {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        // kept, then pruned later
      }
    }
  }

  private static Path dir() {
    String d = System.getProperty(DIR_PROPERTY, System.getenv("FACEBEAM_LOG_DIR"));
    return d != null && !d.isBlank() ? Path.of(d) : Path.of(System.getProperty("user.home"), ".facebeam", "logs");
  }

  private static void prune(Path dir) throws IOException {
    List<Path> logs;
    try (Stream<Path> s = Files.list(dir)) {
      logs = s.filter(p -> p.getFileName().toString().matches("facebeam-\\d{8}-\\d{6}-\\d+\\.log"))
          .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed()).toList();
    }
    for (Path old : logs.subList(Math.min(logs.size(), KEEP - 1), logs.size())) {
      Files.deleteIfExists(old);
    }
  }
}
