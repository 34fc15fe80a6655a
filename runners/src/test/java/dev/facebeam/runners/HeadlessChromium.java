package dev.facebeam.runners;

import static org.junit.Assume.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A page opened in Debian's headless Chromium (installed by .ci/run): its DOM after the load event
 * and a screenshot. Where no Chromium is installed the test is skipped — and .ci/skipped-tests fails
 * CI on any skip, so there it always runs.
 */
final class HeadlessChromium {
  private HeadlessChromium() {}

  static Path binary() {
    for (String name : new String[] {"chromium", "chromium-browser", "google-chrome"}) {
      for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
        Path p = Path.of(dir, name);
        if (Files.isExecutable(p)) {
          return p;
        }
      }
    }
    assumeTrue("no headless Chromium on this machine (apt-get install chromium)", false);
    return null;
  }

  /** The DOM of {@code page} once loaded (scripts run). */
  static String dom(Path page) throws IOException, InterruptedException {
    return run(page, "--dump-dom");
  }

  /** A full-page screenshot of {@code page} written to {@code png}. */
  static void screenshot(Path page, Path png) throws IOException, InterruptedException {
    run(page, "--screenshot=" + png.toAbsolutePath(), "--window-size=1280,2600");
  }

  private static String run(Path page, String... what) throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory("chromium-profile");
    List<String> cmd = new ArrayList<>(List.of(binary().toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-dev-shm-usage", "--allow-file-access-from-files", "--user-data-dir=" + profile, "--virtual-time-budget=10000"));
    cmd.addAll(List.of(what));
    cmd.add(page.toAbsolutePath().toUri().toString());
    Path out = Files.createTempFile("chromium", ".out");
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("chromium did not finish in 120 s: " + cmd);
    }
    String text = Files.readString(out, StandardCharsets.UTF_8);
    Files.delete(out);
    dev.facebeam.io.StageOutput.deleteTree(profile);
    if (p.exitValue() != 0) {
      throw new IOException("chromium exited with " + p.exitValue() + ": " + cmd);
    }
    return text;
  }
}
