package dev.facebeam.codec.recordio;

import dev.facebeam.UserInputException;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Random-access reader of a {@code .rec} file: reads the (possibly multi-part) record that starts
 * at an offset. Every length is checked against the file before anything is allocated, so a
 * hostile or truncated file gives a {@link UserInputException}, never a huge allocation.
 * Not thread-safe: one reader per thread (positional reads make that cheap).
 */
public final class RecordIoReader implements Closeable {
  /** Default bound on one logical record; face images are kilobytes. */
  public static final int DEFAULT_MAX_RECORD_BYTES = 64 << 20;

  private final Path path;
  private final FileChannel channel;
  private final long size;
  private final int maxRecordBytes;
  private final ByteBuffer header = ByteBuffer.allocate(RecordIo.HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);

  public RecordIoReader(Path path) {
    this(path, DEFAULT_MAX_RECORD_BYTES);
  }

  public RecordIoReader(Path path, int maxRecordBytes) {
    this.path = path;
    this.maxRecordBytes = maxRecordBytes;
    try {
      this.channel = FileChannel.open(path, StandardOpenOption.READ);
      this.size = channel.size();
    } catch (IOException e) {
      throw new UserInputException(path.toString(), "cannot open RecordIO file: " + e.getMessage(), e);
    }
  }

  public Path path() {
    return path;
  }

  public long size() {
    return size;
  }

  /** Where a record at this offset is, for messages. */
  public String where(long offset) {
    return path + "@offset=" + offset;
  }

  /** A record read at an offset: its payload and the offset just past it. */
  public record Read(byte[] payload, long next) {}

  /** Reads the logical record whose first part starts at {@code offset}. */
  public Read readAt(long offset) {
    if (offset < 0 || offset > size - RecordIo.HEADER_BYTES) {
      throw new UserInputException(where(offset), "offset outside the file (size " + size + ")");
    }
    if ((offset & 3) != 0) {
      throw new UserInputException(where(offset), "offset is not 4-byte aligned, so not a record start");
    }
    long pos = offset;
    ByteArrayOutputStream multi = null;
    int part = 0;
    while (true) {
      if (pos > size - RecordIo.HEADER_BYTES) {
        throw new UserInputException(where(offset), "truncated: record part " + part + " header at " + pos + " runs past the end of the file");
      }
      header.clear();
      readFully(header, pos);
      header.flip();
      int magic = header.getInt();
      int lrec = header.getInt();
      if (magic != RecordIo.MAGIC) {
        throw new UserInputException(where(offset), String.format(
            "bad magic 0x%08X at %d (expected 0xCED7230A): %s", magic, pos,
            part == 0 ? "the offset is not a record start" : "corrupt multi-part record"));
      }
      int cflag = RecordIo.cflag(lrec);
      int length = RecordIo.length(lrec);
      if (part == 0 && cflag != RecordIo.CFLAG_FULL && cflag != RecordIo.CFLAG_START) {
        throw new UserInputException(where(offset), "cflag " + cflag + " at a record start: the offset points into the middle of a multi-part record");
      }
      if (part > 0 && cflag != RecordIo.CFLAG_MIDDLE && cflag != RecordIo.CFLAG_END) {
        throw new UserInputException(where(offset), "cflag " + cflag + " in part " + part + " of a multi-part record (expected 2 or 3)");
      }
      long dataStart = pos + RecordIo.HEADER_BYTES;
      if (length > size - dataStart) {
        throw new UserInputException(where(offset), "truncated: part " + part + " claims " + length + " bytes but only " + (size - dataStart) + " remain");
      }
      long total = (multi == null ? 0 : multi.size() + 4L) + length;
      if (total > maxRecordBytes) {
        throw new UserInputException(where(offset), "record larger than the " + maxRecordBytes + "-byte limit");
      }
      byte[] data = new byte[length];
      readFully(ByteBuffer.wrap(data), dataStart);
      long next = dataStart + RecordIo.padded(length);
      if (cflag == RecordIo.CFLAG_FULL) {
        return new Read(data, Math.min(next, size));
      }
      if (multi == null) {
        multi = new ByteArrayOutputStream(length * 2 + 8);
      } else {
        // The writer dropped the magic word at each split; put it back.
        multi.write(0x0A);
        multi.write(0x23);
        multi.write(0xD7);
        multi.write(0xCE);
      }
      multi.write(data, 0, length);
      if (cflag == RecordIo.CFLAG_END) {
        return new Read(multi.toByteArray(), Math.min(next, size));
      }
      pos = next;
      part++;
    }
  }

  /** True when a record header (magic + start flag) sits at this offset. */
  public boolean isRecordStart(long offset) {
    if (offset < 0 || offset > size - RecordIo.HEADER_BYTES || (offset & 3) != 0) {
      return false;
    }
    header.clear();
    readFully(header, offset);
    header.flip();
    int cflag = RecordIo.cflag(header.getInt(4));
    return header.getInt(0) == RecordIo.MAGIC && (cflag == RecordIo.CFLAG_FULL || cflag == RecordIo.CFLAG_START);
  }

  private void readFully(ByteBuffer buffer, long position) {
    try {
      long p = position;
      while (buffer.hasRemaining()) {
        int n = channel.read(buffer, p);
        if (n < 0) {
          throw new UserInputException(where(position), "unexpected end of file");
        }
        p += n;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(where(position) + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
