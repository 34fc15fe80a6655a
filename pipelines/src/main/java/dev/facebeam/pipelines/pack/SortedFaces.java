package dev.facebeam.pipelines.pack;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The images a {@code .rec} pack will hold, given in any order and taken back in dir2rec's order —
 * label, then index, then id, then the order the input gave them — with memory bounded by
 * {@code budget} bytes: beyond it the entries go to disk in sorted runs (hidden files beside the
 * pack, removed on close) that are merged as they are read back. A pack of MS1MV2's 5.8 M faces
 * (about 30 GB of JPEGs) sorts in about 230 runs of 128 MB, read back through one buffer each.
 */
final class SortedFaces implements AutoCloseable {
  /** One image to write: its label (-1: none), index and id as the input gave them, its place in the input, its bytes. */
  record Entry(long label, long index, String id, long seq, byte[] image) {}

  static final Comparator<Entry> ORDER = Comparator.comparingLong(Entry::label).thenComparingLong(Entry::index)
      .thenComparing(Entry::id).thenComparingLong(Entry::seq);

  private static final int PER_ENTRY = 96; // an entry's bookkeeping beside its bytes, roughly
  private final Path dir;
  private final String prefix;
  private final long budget;
  private final List<Entry> buffer = new ArrayList<>();
  private final List<Path> runs = new ArrayList<>();
  private long buffered;
  private long count;

  SortedFaces(Path dir, String prefix, long budget) {
    this.dir = dir;
    this.prefix = prefix;
    this.budget = budget;
  }

  synchronized void addAll(List<Entry> entries) throws IOException {
    for (Entry e : entries) {
      buffer.add(e);
      buffered += e.image().length + e.id().length() * 2L + PER_ENTRY;
      count++;
      if (buffered >= budget) {
        spill();
      }
    }
  }

  synchronized long size() {
    return count;
  }

  /** How many sorted runs went to disk (0: everything fit in the budget). */
  synchronized int runs() {
    return runs.size();
  }

  /** Every entry, once, in {@link #ORDER}. */
  interface Visitor {
    void accept(Entry e) throws IOException;
  }

  synchronized void forEachInOrder(Visitor visitor) throws IOException {
    if (runs.isEmpty()) {
      buffer.sort(ORDER);
      for (Entry e : buffer) {
        visitor.accept(e);
      }
      return;
    }
    spill();
    List<RunReader> readers = new ArrayList<>();
    try {
      PriorityQueue<RunReader> heads = new PriorityQueue<>((a, b) -> ORDER.compare(a.head, b.head));
      for (Path run : runs) {
        RunReader r = new RunReader(run);
        readers.add(r);
        if (r.advance()) {
          heads.add(r);
        }
      }
      while (!heads.isEmpty()) {
        RunReader r = heads.poll();
        visitor.accept(r.head);
        if (r.advance()) {
          heads.add(r);
        }
      }
    } finally {
      for (RunReader r : readers) {
        r.in.close();
      }
    }
  }

  private void spill() throws IOException {
    if (buffer.isEmpty()) {
      return;
    }
    buffer.sort(ORDER);
    Path run = Files.createTempFile(dir, prefix, ".run");
    runs.add(run);
    try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(run), 1 << 16))) {
      for (Entry e : buffer) {
        out.writeLong(e.label());
        out.writeLong(e.index());
        out.writeUTF(e.id());
        out.writeLong(e.seq());
        out.writeInt(e.image().length);
        out.write(e.image());
      }
    }
    buffer.clear();
    buffered = 0;
  }

  /** Removes the runs on disk. */
  @Override
  public synchronized void close() {
    for (Path run : runs) {
      try {
        Files.deleteIfExists(run);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot remove the sort run " + run + ": " + e.getMessage(), e);
      }
    }
    runs.clear();
    buffer.clear();
  }

  private static final class RunReader {
    final DataInputStream in;
    Entry head;

    RunReader(Path run) throws IOException {
      in = new DataInputStream(new BufferedInputStream(Files.newInputStream(run), 1 << 16));
    }

    boolean advance() throws IOException {
      long label;
      try {
        label = in.readLong();
      } catch (EOFException end) {
        head = null;
        return false;
      }
      long index = in.readLong();
      String id = in.readUTF();
      long seq = in.readLong();
      byte[] image = new byte[in.readInt()];
      in.readFully(image);
      head = new Entry(label, index, id, seq, image);
      return true;
    }
  }
}
