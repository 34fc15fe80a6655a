package dev.facebeam.runners;

import static org.junit.Assume.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The command line as a test drives it: one call of {@link Main#run}, its status and what it printed; the real fixtures. */
final class Cli {
  private Cli() {}

  record Run(int status, String out, String err) {}

  static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** A fixture of ../shared/data; the test is skipped where they are absent (CI has them and fails on any skip). */
  static Path shared(String relative) {
    Path dir = Path.of(System.getProperty("facebeam.sharedData", "../../shared/data"));
    assumeTrue("real fixtures not found at " + dir, Files.isDirectory(dir));
    return dir.resolve(relative).toAbsolutePath().normalize();
  }

  /** A training dataset folder ({@code train.rec}) packed from ORL subjects s1 … s{@code people}, ten images each. */
  static Path orlTrainingSet(Path work, int people) throws java.io.IOException {
    Path folder = Files.createDirectories(work.resolve("orl" + people));
    for (int s = 1; s <= people; s++) {
      Path d = Files.createDirectories(folder.resolve("s" + s));
      for (int i = 1; i <= 10; i++) {
        Files.copy(shared("orl/s" + s + "/" + i + ".pgm"), d.resolve(i + ".pgm"));
      }
    }
    Path dataset = Files.createDirectories(work.resolve("orl" + people + "-dataset"));
    Run r = run("pack", "--input=" + folder, "--output=" + dataset.resolve("train.rec"));
    if (r.status() != 0) {
      throw new IllegalStateException("pack failed: " + r.err());
    }
    return dataset;
  }
}
