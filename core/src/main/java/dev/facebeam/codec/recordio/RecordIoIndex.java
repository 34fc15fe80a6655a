package dev.facebeam.codec.recordio;

import dev.facebeam.UserInputException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The {@code .idx} text index ({@code key\toffset} per line, docs/formats.md), kept as primitive arrays in
 * file order so that 5.8 million keys cost 2 × 46 MB, with the byte offset of every line so that
 * workers can each parse only their slice.
 */
public final class RecordIoIndex {
  private final Path path;
  private final long[] keys;
  private final long[] offsets;
  private final long[] lineStarts; // n + 1 entries: the last is the file length
  private final Map<Long, Integer> positionOfKey;

  private RecordIoIndex(Path path, long[] keys, long[] offsets, long[] lineStarts) {
    this.path = path;
    this.keys = keys;
    this.offsets = offsets;
    this.lineStarts = lineStarts;
    this.positionOfKey = new HashMap<>(keys.length * 2);
    for (int i = 0; i < keys.length; i++) {
      Integer before = positionOfKey.put(keys[i], i);
      if (before != null) {
        throw new UserInputException(path + ":" + (i + 1), "duplicate key " + keys[i] + " (first on line " + (before + 1) + "): the index is ambiguous");
      }
    }
  }

  /** One parsed index line. */
  public record Entry(long key, long offset, long line) {}

  /** Reads and validates a whole index: malformed lines and duplicate keys are errors. */
  public static RecordIoIndex read(Path idx) {
    LongList keys = new LongList();
    LongList offsets = new LongList();
    LongList starts = new LongList();
    long end = scan(idx, 0, Long.MAX_VALUE, 1, (e) -> {
      keys.add(e.key);
      offsets.add(e.offset);
    }, starts);
    starts.add(end);
    if (keys.size == 0) {
      throw new UserInputException(idx.toString(), "empty index: the pack has no records");
    }
    return new RecordIoIndex(idx, keys.toArray(), offsets.toArray(), starts.toArray());
  }

  /**
   * Parses the lines that start inside {@code [from, to)} bytes, as a worker does for its slice.
   * {@code firstLine} is the 1-based number of the first line, for messages.
   */
  public static void readSlice(Path idx, long from, long to, long firstLine, Consumer<Entry> sink) {
    scan(idx, from, to, firstLine, sink, null);
  }

  private static long scan(Path idx, long from, long to, long firstLine, Consumer<Entry> sink, LongList starts) {
    try (FileChannel ch = FileChannel.open(idx, StandardOpenOption.READ)) {
      ch.position(from);
      InputStream in = new BufferedInputStream(Channels.newInputStream(ch), 1 << 16);
      long pos = from;
      long line = firstLine;
      StringBuilder sb = new StringBuilder(32);
      while (pos < to) {
        long lineStart = pos;
        sb.setLength(0);
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
          pos++;
          if (sb.length() > 256) {
            throw new UserInputException(idx + ":" + line, "index line longer than 256 characters");
          }
          sb.append((char) c);
        }
        if (c == -1 && sb.length() == 0) {
          return pos;
        }
        if (c == '\n') {
          pos++;
        }
        String text = sb.toString().strip();
        if (!text.isEmpty()) {
          if (starts != null) {
            starts.add(lineStart);
          }
          sink.accept(parse(idx, line, text));
        } else if (starts != null) {
          throw new UserInputException(idx + ":" + line, "blank line in the index");
        }
        line++;
        if (c == -1) {
          return pos;
        }
      }
      return pos;
    } catch (IOException e) {
      throw new UserInputException(idx.toString(), "cannot read index: " + e.getMessage(), e);
    }
  }

  private static Entry parse(Path idx, long line, String text) {
    int tab = text.indexOf('\t');
    if (tab < 0) {
      tab = text.indexOf(' ');
    }
    if (tab < 0) {
      throw new UserInputException(idx + ":" + line, "expected 'key<TAB>offset', got '" + abbreviate(text) + "'");
    }
    try {
      long key = Long.parseLong(text.substring(0, tab).strip());
      long offset = Long.parseLong(text.substring(tab + 1).strip());
      if (offset < 0) {
        throw new NumberFormatException("negative offset");
      }
      return new Entry(key, offset, line);
    } catch (NumberFormatException e) {
      throw new UserInputException(idx + ":" + line, "expected integer key and offset, got '" + abbreviate(text) + "'");
    }
  }

  private static String abbreviate(String s) {
    return s.length() > 60 ? s.substring(0, 60) + "…" : s;
  }

  public Path path() {
    return path;
  }

  public int size() {
    return keys.length;
  }

  public long key(int i) {
    return keys[i];
  }

  public long offset(int i) {
    return offsets[i];
  }

  /** Byte offset of line i (0-based); {@code lineStart(size())} is the file length. */
  public long lineStart(int i) {
    return lineStarts[i];
  }

  /** The offset of a key, or -1 when the index does not have it. */
  public long offsetOf(long key) {
    Integer i = positionOfKey.get(key);
    return i == null ? -1 : offsets[i];
  }

  public boolean contains(long key) {
    return positionOfKey.containsKey(key);
  }

  private static final class LongList {
    long[] a = new long[1024];
    int size;

    void add(long v) {
      if (size == a.length) {
        a = Arrays.copyOf(a, a.length * 2);
      }
      a[size++] = v;
    }

    long[] toArray() {
      return Arrays.copyOf(a, size);
    }
  }
}
