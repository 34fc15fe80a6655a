package dev.facebeam.io;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * One updating console line per running stage — records done, rate, ETA — fed by the stage's DoFns
 * when they run in this JVM (the embedded Flink, the direct runner), or by a remote count (a Flink
 * cluster's REST API) when they run on TaskManagers. On a terminal the line is rewritten every
 * second; piped (a log, {@code | tee}, a CI job) a whole line is printed every {@link #PIPED_EVERY_SECONDS}
 * seconds, so a long ingest or embed still says how far it is, without filling a log with carriage returns.
 */
public final class Progress implements AutoCloseable {
  private static final ConcurrentHashMap<String, AtomicLong> DONE = new ConcurrentHashMap<>();
  private final String stage;
  private final Thread printer;
  private final PrintStream out;
  private final boolean terminal;
  private volatile boolean printed;
  static final int PIPED_EVERY_SECONDS = 10;
  private final long start = System.nanoTime();
  private final long total;
  private final LongSupplier remote;

  Progress(String stage, long total, PrintStream out, boolean terminal, long pipedEveryMillis, LongSupplier remote) {
    this.stage = stage;
    this.total = total;
    this.out = out;
    this.terminal = terminal;
    this.remote = remote;
    DONE.put(stage, new AtomicLong());
    printer = out == null ? null : new Thread(() -> {
      try {
        while (!Thread.currentThread().isInterrupted()) {
          Thread.sleep(terminal ? 1000 : pipedEveryMillis);
          out.print(terminal ? "\r" + line() : line().stripTrailing() + "\n");
          out.flush();
          printed = true;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "facebeam-progress");
    if (printer != null) {
      printer.setDaemon(true);
      printer.start();
    }
  }

  /** Starts counting a stage, printing to standard error (see the class comment). */
  public static Progress show(String stage, long total) {
    return show(stage, total, null);
  }

  /** The same, counting with {@code remote} (records done so far) where it is not null. */
  public static Progress show(String stage, long total, LongSupplier remote) {
    return new Progress(stage, total, System.err, System.console() != null, PIPED_EVERY_SECONDS * 1000L, remote);
  }

  /** Called by workers: {@code n} more records of {@code stage} done. */
  public static void add(String stage, long n) {
    AtomicLong a = DONE.get(stage);
    if (a != null) {
      a.addAndGet(n);
    }
  }

  public long done() {
    return remote != null ? remote.getAsLong() : DONE.get(stage).get();
  }

  /** "embed: 1,234 / 12,000 records, 85.3/s, ETA 2m 06s". */
  public String line() {
    long d = done();
    double secs = Math.max(1e-9, (System.nanoTime() - start) / 1e9);
    double rate = d / secs;
    String eta = total > 0 && rate > 0 && d < total ? String.format(Locale.ROOT, ", ETA %s", duration((total - d) / rate)) : "";
    return String.format(Locale.ROOT, "%s: %,d%s records, %.1f/s%s   ", stage, d, total > 0 ? String.format(Locale.ROOT, " / %,d", total) : "", rate, eta);
  }

  private static final java.util.regex.Pattern LINE = java.util.regex.Pattern.compile(
      "[a-z][a-z0-9/_-]*: [0-9,]+( / [0-9,]+)? records, [0-9.]+/s(, ETA [0-9hms ]+)?\\s*");

  /** Whether {@code text} is one of the lines {@link #line()} makes: what a log reader or a test may set aside. */
  public static boolean isProgressLine(String text) {
    return LINE.matcher(text.replace("\r", "")).matches();
  }

  static String duration(double s) {
    long t = Math.round(s);
    return t >= 3600 ? String.format(Locale.ROOT, "%dh %02dm", t / 3600, t % 3600 / 60)
        : t >= 60 ? String.format(Locale.ROOT, "%dm %02ds", t / 60, t % 60) : t + "s";
  }

  @Override
  public void close() {
    if (printer != null) {
      printer.interrupt();
      try {
        printer.join(); // no line of the printer's after the last one
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (terminal) {
        out.println("\r" + line());
      } else if (printed) { // a short run piped prints nothing; a long one ends with its total
        out.println(line().stripTrailing());
      }
    }
    DONE.remove(stage);
  }
}
