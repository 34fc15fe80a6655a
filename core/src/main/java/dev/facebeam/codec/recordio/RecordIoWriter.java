package dev.facebeam.codec.recordio;

import dev.facebeam.UserInputException;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a {@code .rec} and its {@code .idx} the way MXNet's {@code MXIndexedRecordIO} does:
 * dmlc framing with the magic escaped by splitting into parts (docs/formats.md), and one
 * {@code key\toffset} line per record (docs/formats.md).
 */
public final class RecordIoWriter implements Closeable {
  private static final byte[] ZERO = new byte[4];
  private final Path recPath;
  private final OutputStream rec;
  private final Writer idx;
  private long position;

  public RecordIoWriter(Path recPath, Path idxPath) {
    this.recPath = recPath;
    try {
      this.rec = new BufferedOutputStream(Files.newOutputStream(recPath), 1 << 16);
      this.idx = idxPath == null ? null : Files.newBufferedWriter(idxPath, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Byte offset where the next record will start. */
  public long position() {
    return position;
  }

  /** Appends one logical record under {@code key}; returns its offset. */
  public long write(long key, byte[] payload) {
    long offset = position;
    writeRecord(payload);
    if (idx != null) {
      try {
        idx.write(key + "\t" + offset + "\n");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return offset;
  }

  private void writeRecord(byte[] payload) {
    int len = payload.length;
    if (len > RecordIo.MAX_PART_LENGTH) {
      throw new UserInputException(recPath.toString(), "record of " + len + " bytes exceeds the RecordIO limit of 2^29 - 1");
    }
    int cut = 0;
    boolean split = false;
    int aligned = (len >> 2) << 2;
    for (int i = 0; i < aligned; i += 4) {
      if (payload[i] == 0x0A && payload[i + 1] == 0x23 && payload[i + 2] == (byte) 0xD7 && payload[i + 3] == (byte) 0xCE) {
        writePart(split ? RecordIo.CFLAG_MIDDLE : RecordIo.CFLAG_START, payload, cut, i - cut);
        split = true;
        cut = i + 4;
      }
    }
    writePart(split ? RecordIo.CFLAG_END : RecordIo.CFLAG_FULL, payload, cut, len - cut);
  }

  private void writePart(int cflag, byte[] data, int from, int length) {
    try {
      writeIntLe(RecordIo.MAGIC);
      writeIntLe(RecordIo.lrec(cflag, length));
      rec.write(data, from, length);
      int pad = RecordIo.padded(length) - length;
      rec.write(ZERO, 0, pad);
      position += RecordIo.HEADER_BYTES + length + pad;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void writeIntLe(int v) throws IOException {
    rec.write(v);
    rec.write(v >>> 8);
    rec.write(v >>> 16);
    rec.write(v >>> 24);
  }

  @Override
  public void close() {
    try {
      rec.close();
      if (idx != null) {
        idx.close();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
