package dev.facebeam.transforms;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.facebeam.UserInputException;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongPredicate;

/**
 * A stage shard's length-prefixed records read one at a time: those {@code keep} selects (by index)
 * are returned, the rest skipped unread by their length. Damage is an error naming the file and the
 * record.
 */
final class FramedRecords implements Closeable {
  private final String file;
  private final LongPredicate keep;
  private final InputStream in;
  private long record; // index of the next record

  FramedRecords(String file, LongPredicate keep) throws IOException {
    this.file = file;
    this.keep = keep;
    this.in = new BufferedInputStream(Files.newInputStream(Path.of(file)), 1 << 16);
  }

  /** The next kept record's bytes, or null after the last record. */
  byte[] next() throws IOException {
    try {
      for (int first; (first = in.read()) != -1; ) {
        long index = record++;
        int length = CodedInputStream.readRawVarint32(first, in);
        if (length < 0) {
          throw new InvalidProtocolBufferException("negative record length " + length);
        }
        if (!keep.test(index)) {
          in.skipNBytes(length);
          continue;
        }
        byte[] bytes = in.readNBytes(length);
        if (bytes.length < length) {
          throw new EOFException();
        }
        return bytes;
      }
      return null;
    } catch (InvalidProtocolBufferException | EOFException e) {
      throw corrupt(record - 1, e);
    }
  }

  /** How many records were passed so far (all of them after {@link #next} returned null). */
  long records() {
    return record;
  }

  /** The error for the record just returned by {@link #next} whose bytes do not parse. */
  UserInputException unparsable(InvalidProtocolBufferException e) {
    return corrupt(record - 1, e);
  }

  private UserInputException corrupt(long index, Exception e) {
    return new UserInputException(file + "#record=" + index, "corrupt stage shard: "
        + (e instanceof EOFException ? "the file ends inside the record" : e.getMessage()), e);
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
