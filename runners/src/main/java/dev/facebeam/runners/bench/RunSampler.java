package dev.facebeam.runners.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Samples, while a benchmarked run lasts, this process's resident memory and the size of one folder
 * (embedded Flink's temporary folder: its shuffle and spill files) on a daemon thread, so that a
 * benchmark can print whether memory stayed flat and the largest size the folder reached.
 */
final class RunSampler implements AutoCloseable {
  record Sample(long millis, long rssMb, long folderMb) {}

  private final List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
  private final Path folder;
  private final long t0 = System.nanoTime();
  private final Thread thread;

  private RunSampler(Path folder, long everyMillis) {
    this.folder = folder;
    thread = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        samples.add(new Sample((System.nanoTime() - t0) / 1_000_000, EmbedBenchmark.rssMb(), folderMb()));
        try {
          Thread.sleep(everyMillis);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "run-sampler");
    thread.setDaemon(true);
    thread.start();
  }

  /** Starts sampling now; {@code folder} may be null (then only memory is reported). */
  static RunSampler start(Path folder, long everyMillis) {
    return new RunSampler(folder, everyMillis);
  }

  /** The folder's size in MB: files that vanish while it is walked count as gone. */
  private long folderMb() {
    if (folder == null || !Files.isDirectory(folder)) {
      return 0;
    }
    long[] bytes = {0};
    try (Stream<Path> s = Files.walk(folder)) {
      s.forEach(p -> {
        try {
          if (Files.isRegularFile(p)) {
            bytes[0] += Files.size(p);
          }
        } catch (IOException | UncheckedIOException e) {
          // removed while walked
        }
      });
    } catch (IOException | UncheckedIOException e) {
      // the folder changed under the walk: what was counted stands
    }
    return bytes[0] >> 20;
  }

  @Override
  public void close() throws InterruptedException {
    thread.interrupt();
    thread.join();
  }

  long largestFolderMb() {
    synchronized (samples) {
      return samples.stream().mapToLong(Sample::folderMb).max().orElse(0);
    }
  }

  /** Resident memory at each tenth of a run of {@code seconds}, in MB, on one line: whether it stayed flat. */
  String tenthsLine(double seconds) {
    List<Sample> copy;
    synchronized (samples) {
      copy = new ArrayList<>(samples);
    }
    StringBuilder out = new StringBuilder("RSS at each tenth of the run (MB):");
    for (int tenth = 1; tenth <= 10; tenth++) {
      long at = (long) (seconds * 1000 * tenth / 10);
      Sample last = null;
      for (Sample x : copy) {
        if (x.millis() <= at) {
          last = x;
        }
      }
      out.append(last == null ? " -" : " " + last.rssMb());
    }
    return out.toString();
  }

  /** Resident memory at each tenth of a run of {@code seconds}, with the highest so far, one line each. */
  String tenths(double seconds, String indent) {
    List<Sample> copy;
    synchronized (samples) {
      copy = new ArrayList<>(samples);
    }
    StringBuilder out = new StringBuilder();
    for (int tenth = 1; tenth <= 10; tenth++) {
      long at = (long) (seconds * 1000 * tenth / 10);
      List<Sample> upTo = copy.stream().filter(x -> x.millis() <= at).toList();
      if (upTo.isEmpty()) {
        continue;
      }
      Sample last = upTo.get(upTo.size() - 1);
      out.append(String.format(Locale.ROOT, "%s%3d%% of the run (%5.1f s)  RSS %6d MB (highest so far %6d MB)%s%n",
          indent, tenth * 10, at / 1000.0, last.rssMb(), upTo.stream().mapToLong(Sample::rssMb).max().orElse(0),
          folder == null ? "" : String.format(Locale.ROOT, ", temporary folder %6d MB", last.folderMb())));
    }
    return out.toString();
  }
}
