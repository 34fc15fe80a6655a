package dev.facebeam.transforms;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import dev.facebeam.UserInputException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;

/**
 * Reads a stage's shard files (framed protobufs), records streamed. Each file is read by one task,
 * or, when there are few files, by several: task k of n keeps every n-th record from the k-th and
 * skips the rest by their length prefix. So the work spreads over the workers without shuffling the
 * records themselves — on Flink's batch runner a Reshuffle is a full GroupBy, which would serialise,
 * sort and hold every record (gigabytes of faces) before the first one reached the next step.
 */
public final class ReadStageShards<T extends Message> extends PTransform<PBegin, PCollection<T>> {
  private final List<String> files;
  private final Class<T> type;

  private ReadStageShards(List<String> files, Class<T> type) {
    this.files = files;
    this.type = type;
  }

  public static <T extends Message> ReadStageShards<T> of(List<String> files, Class<T> type) {
    return new ReadStageShards<>(files, type);
  }

  /** Files are cut into at least this many tasks. */
  static final int MANY_TASKS = 8;

  /** Tasks per file: enough that {@link #MANY_TASKS} tasks exist in all. */
  static int partsPerFile(int files) {
    return files >= MANY_TASKS ? 1 : (MANY_TASKS + Math.max(1, files) - 1) / Math.max(1, files);
  }

  @Override
  public PCollection<T> expand(PBegin begin) {
    int parts = partsPerFile(files.size());
    List<KV<String, Integer>> tasks = new ArrayList<>();
    for (String file : files) {
      for (int part = 0; part < parts; part++) {
        tasks.add(KV.of(file, part));
      }
    }
    return begin
        .apply("ShardParts", Create.of(tasks).withCoder(KvCoder.of(StringUtf8Coder.of(), VarIntCoder.of())))
        .apply("SpreadParts", Reshuffle.viaRandomKey())
        .apply("ReadShard", ParDo.of(new ReadFn<>(type, parts)))
        .setCoder(ProtoCoder.of(type));
  }

  /**
   * How many records the files hold, walked by their length prefixes alone: a pipeline's "read" count
   * from a source of its own. Counting the read records themselves would branch them to a second
   * consumer that joins the first again at the counts, and Flink's batch optimizer then materialises
   * the whole branch on disk before the first record moves on (docs/outputs.md).
   */
  public static PTransform<PBegin, PCollection<Long>> countRecords(List<String> files) {
    return new PTransform<>() {
      @Override
      public PCollection<Long> expand(PBegin begin) {
        return begin
            .apply("Files", Create.of(files).withCoder(StringUtf8Coder.of()))
            .apply("CountFileRecords", ParDo.of(new DoFn<String, Long>() {
              @ProcessElement
              public void process(@Element String file, OutputReceiver<Long> out) throws IOException {
                out.output(walk(file, record -> false, bytes -> {}));
              }
            }))
            .apply("Sum", Sum.longsGlobally());
      }
    };
  }

  /** What is done with a record's bytes. */
  interface RecordSink {
    void accept(byte[] record) throws IOException;
  }

  /**
   * Walks a file of length-prefixed records: those {@code keep} selects (by index) are read and handed
   * to {@code sink}, the rest skipped unread. Returns the number of records; damage is an error naming
   * the file and the record.
   */
  static long walk(String file, java.util.function.LongPredicate keep, RecordSink sink) throws IOException {
    long record = 0;
    try (InputStream in = new BufferedInputStream(Files.newInputStream(Path.of(file)), 1 << 16)) {
      for (int first; (first = in.read()) != -1; record++) {
        int length = CodedInputStream.readRawVarint32(first, in);
        if (length < 0) {
          throw new InvalidProtocolBufferException("negative record length " + length);
        }
        if (!keep.test(record)) {
          in.skipNBytes(length);
          continue;
        }
        byte[] bytes = in.readNBytes(length);
        if (bytes.length < length) {
          throw new java.io.EOFException();
        }
        sink.accept(bytes);
      }
      return record;
    } catch (InvalidProtocolBufferException | java.io.EOFException e) {
      throw new UserInputException(file + "#record=" + record, "corrupt stage shard: "
          + (e instanceof java.io.EOFException ? "the file ends inside the record" : e.getMessage()), e);
    }
  }

  static final class ReadFn<T extends Message> extends DoFn<KV<String, Integer>, T> {
    private final Class<T> type;
    private final int parts;
    private transient Parser<T> parser;

    ReadFn(Class<T> type, int parts) {
      this.type = type;
      this.parts = parts;
    }

    @SuppressWarnings("unchecked")
    @Setup
    public void setup() throws ReflectiveOperationException {
      parser = (Parser<T>) ((Message) type.getMethod("getDefaultInstance").invoke(null)).getParserForType();
    }

    @ProcessElement
    public void process(@Element KV<String, Integer> task, OutputReceiver<T> out) throws IOException {
      int part = task.getValue();
      walk(task.getKey(), record -> record % parts == part, bytes -> out.output(parser.parseFrom(bytes)));
    }
  }
}
