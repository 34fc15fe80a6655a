package dev.facebeam.runners;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The hostile-input battery of issue 23, as a user meets it: each case runs {@code facebeam} as its
 * own process (so what reaches the console is what a user sees, Flink's logging included), with
 * {@code java.io.tmpdir} pointed at a fresh folder. It counts cases, clean errors (exit 1 or 2, one
 * line on stderr saying what it must), clean rejects (exit 0, the reason in rejects.jsonl), valid
 * odd inputs handled, traces (any line that starts with white space and "at "), silent successes
 * (exit 0 where an error or a reject was due) and temporaries left behind — and fails on any trace,
 * silent success, leftover or wrong message. The summary goes to target/hostile-inputs.txt and the
 * README's bad-input section.
 */
public class HostileInputSuiteTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  private static final Pattern TRACE = Pattern.compile("^\\s+at \\S.*|.*Exception in thread.*");

  enum Expectation { ERROR, REJECT, VALID }

  /** One case: what it runs, what must come of it, and (for a reject) the rejects file that must say so. */
  record CaseSpec(String name, Expectation expect, String mustSay, List<String> args, Path rejects) {
    static CaseSpec error(String name, String mustSay, String... args) {
      return new CaseSpec(name, Expectation.ERROR, mustSay, List.of(args), null);
    }

    static CaseSpec reject(String name, String mustSay, Path rejects, String... args) {
      return new CaseSpec(name, Expectation.REJECT, mustSay, List.of(args), rejects);
    }

    static CaseSpec valid(String name, String... args) {
      return new CaseSpec(name, Expectation.VALID, "", List.of(args), null);
    }
  }

  private record Outcome(CaseSpec c, int status, List<String> out, List<String> err, List<String> leftovers, String verdict) {}

  private Path work;
  private Path logs;

  private Process start(List<String> args, Path tmpdir) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (a.startsWith("--add-opens") || a.startsWith("-Dai.djl")) {
        cmd.add(a);
      }
    }
    cmd.addAll(List.of("-Xmx1g", "-Djava.io.tmpdir=" + tmpdir, "-Dfacebeam.logDir=" + logs, "-Dfacebeam.inferenceCache=" + work.resolve("cache"),
        "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    cmd.addAll(args);
    return new ProcessBuilder(cmd).directory(work.toFile()).redirectOutput(tmpdir.resolveSibling(tmpdir.getFileName() + ".out").toFile())
        .redirectError(tmpdir.resolveSibling(tmpdir.getFileName() + ".err").toFile()).start();
  }

  private Outcome run(CaseSpec c, int index) throws Exception {
    Path tmpdir = Files.createDirectories(work.resolve("tmp").resolve("case-" + index));
    Process p = start(c.args(), tmpdir);
    boolean done = p.waitFor(180, TimeUnit.SECONDS);
    if (!done) {
      p.destroyForcibly().waitFor();
    }
    List<String> out = Files.readAllLines(tmpdir.resolveSibling(tmpdir.getFileName() + ".out"), StandardCharsets.UTF_8);
    List<String> err = Files.readAllLines(tmpdir.resolveSibling(tmpdir.getFileName() + ".err"), StandardCharsets.UTF_8)
        .stream().filter(l -> !l.isBlank())
        // a long run's progress lines (piped: one every 10 s) say how far it got, not what went wrong
        .filter(l -> !dev.facebeam.io.Progress.isProgressLine(l)).toList();
    List<String> left;
    try (Stream<Path> s = Files.list(tmpdir)) {
      left = s.map(q -> q.getFileName().toString()).toList();
    }
    int status = done ? p.exitValue() : -1;
    String verdict;
    boolean traced = Stream.concat(out.stream(), err.stream()).anyMatch(l -> TRACE.matcher(l).matches());
    if (!done) {
      verdict = "hang";
    } else if (traced) {
      verdict = "trace";
    } else if (c.expect() == Expectation.ERROR) {
      if (status == 0) {
        verdict = "silent success";
      } else if (err.size() != 1 || !err.get(0).startsWith("facebeam ")) {
        verdict = "not one line";
      } else {
        verdict = err.get(0).contains(c.mustSay()) ? "clean error" : "wrong message";
      }
    } else if (c.expect() == Expectation.REJECT) {
      String rejects = Files.isRegularFile(c.rejects()) ? Files.readString(c.rejects()) : "";
      verdict = status != 0 ? "failed" : !rejects.contains(c.mustSay()) ? "silent success" : "clean reject";
    } else {
      verdict = status == 0 && err.isEmpty() ? "valid" : "failed";
    }
    if (!left.isEmpty() && !verdict.equals("hang")) {
      verdict = verdict + ", left " + left;
    }
    return new Outcome(c, status, out, err, left, verdict);
  }

  @Test(timeout = 1_800_000)
  public void everyHostileInputIsOneCleanLineOrARejectAndNothingIsLeftBehind() throws Exception {
    work = tmp.newFolder("work").toPath();
    logs = Files.createDirectories(work.resolve("logs"));
    HostileFixtures f = HostileFixtures.make(work);
    List<CaseSpec> cases = new ArrayList<>(f.cases());
    List<Outcome> outcomes = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<Outcome>> futures = new ArrayList<>();
      for (int i = 0; i < cases.size(); i++) {
        int index = i;
        futures.add(pool.submit(() -> run(cases.get(index), index)));
      }
      for (Future<Outcome> o : futures) {
        outcomes.add(o.get());
      }
    } finally {
      pool.shutdownNow();
    }
    outcomes.add(concurrentWriters(f));
    outcomes.add(terminated(f));

    long errors = outcomes.stream().filter(o -> o.verdict().equals("clean error")).count();
    long rejects = outcomes.stream().filter(o -> o.verdict().equals("clean reject")).count();
    long valid = outcomes.stream().filter(o -> o.verdict().equals("valid")).count();
    long traces = outcomes.stream().filter(o -> o.verdict().startsWith("trace")).count();
    long silent = outcomes.stream().filter(o -> o.verdict().startsWith("silent success")).count();
    long leftovers = outcomes.stream().filter(o -> !o.leftovers().isEmpty()).count();
    StringBuilder report = new StringBuilder(String.format("%d cases: %d clean errors, %d clean rejects, %d odd-but-valid inputs handled, "
        + "%d traces, %d silent successes, %d left temporaries%n", outcomes.size(), errors, rejects, valid, traces, silent, leftovers));
    StringBuilder bad = new StringBuilder();
    for (Outcome o : outcomes) {
      String line = String.format("%-16s %-44s exit %d: %s", o.verdict(), o.c().name(), o.status(),
          o.err().isEmpty() ? (o.out().isEmpty() ? "" : o.out().get(o.out().size() - 1)) : o.err().get(0));
      report.append(line).append('\n');
      if (!List.of("clean error", "clean reject", "valid").contains(o.verdict())) {
        bad.append(line).append(" | must say: ").append(o.c().mustSay()).append(" | stderr: ")
            .append(String.join(" / ", o.err().stream().limit(5).toList())).append('\n');
      }
    }
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target", "hostile-inputs.txt"), report.toString(), StandardCharsets.UTF_8);
    System.out.print(report);
    assertEquals("cases that are not a clean error, reject or valid run:\n" + bad, "", bad.toString());
    assertEquals(0, traces);
    assertEquals(0, silent);
    assertTrue(outcomes.size() >= 40);
  }

  /** Two ingests into one output at once: the second gets one line naming the first one's pid, the first finishes. */
  private Outcome concurrentWriters(HostileFixtures f) throws Exception {
    Path out = work.resolve("both");
    Path tmpA = Files.createDirectories(work.resolve("tmp").resolve("concurrent-a"));
    Process a = start(List.of("ingest", "--input=" + f.orl(), "--output=" + out), tmpA);
    whileWriting(a, out);
    CaseSpec second = CaseSpec.error("a second ingest into the same output", "is being written by another facebeam process (pid " + a.pid() + ")",
        "ingest", "--input=" + f.orl(), "--output=" + out);
    Outcome b = run(second, 1000);
    assertEquals("the first writer finishes", 0, a.waitFor());
    assertTrue(Files.isRegularFile(out.resolve("manifest.json")));
    return b;
  }

  /** Waits (30 s at most) until {@code p} holds the lock of {@code out}: its stage is writing. */
  private static void whileWriting(Process p, Path out) throws InterruptedException {
    Path lock = out.resolveSibling("." + out.getFileName() + ".lock");
    for (int i = 0; i < 600 && !Files.exists(lock) && p.isAlive(); i++) {
      Thread.sleep(50);
    }
  }

  /** A command stopped with SIGTERM (Ctrl-C alike) leaves nothing in its temporary folder. */
  private Outcome terminated(HostileFixtures f) throws Exception {
    Path out = work.resolve("stopped");
    Path tmpdir = Files.createDirectories(work.resolve("tmp").resolve("terminated"));
    Process p = start(List.of("ingest", "--input=" + f.orl(), "--output=" + out), tmpdir);
    whileWriting(p, out);
    Thread.sleep(500); // the embedded Flink is up and writing
    p.destroy();
    p.waitFor(60, TimeUnit.SECONDS);
    List<String> left;
    try (Stream<Path> s = Files.list(tmpdir)) {
      left = s.map(q -> q.getFileName().toString()).toList();
    }
    CaseSpec c = CaseSpec.valid("ingest stopped by SIGTERM: temporaries removed");
    return new Outcome(c, 0, List.of(), List.of(), left, left.isEmpty() ? "valid" : "left " + left);
  }
}
