package dev.facebeam.transforms;

import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import dev.facebeam.UserInputException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;

/** Reads a stage's shard files (framed protobufs), one file per task, records streamed. */
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

  @Override
  public PCollection<T> expand(PBegin begin) {
    PCollection<T> records = begin
        .apply("ShardFiles", Create.of(files).withCoder(StringUtf8Coder.of()))
        .apply("SpreadFiles", Reshuffle.viaRandomKey())
        .apply("ReadShard", ParDo.of(new ReadFn<>(type)))
        .setCoder(ProtoCoder.of(type));
    if (files.size() < ReadFacePack.MANY_TASKS) {
      // Few shards: spread the records themselves so every worker gets some.
      records = records.apply("SpreadRecords", Reshuffle.viaRandomKey());
    }
    return records;
  }

  static final class ReadFn<T extends Message> extends DoFn<String, T> {
    private final Class<T> type;
    private transient Parser<T> parser;

    ReadFn(Class<T> type) {
      this.type = type;
    }

    @SuppressWarnings("unchecked")
    @Setup
    public void setup() throws ReflectiveOperationException {
      parser = (Parser<T>) ((Message) type.getMethod("getDefaultInstance").invoke(null)).getParserForType();
    }

    @ProcessElement
    public void process(@Element String file, OutputReceiver<T> out) throws IOException {
      long records = 0;
      try (InputStream in = new BufferedInputStream(Files.newInputStream(Path.of(file)), 1 << 16)) {
        T m;
        while ((m = parser.parseDelimitedFrom(in)) != null) {
          out.output(m);
          records++;
        }
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        throw new UserInputException(file + "#record=" + records, "corrupt stage shard: " + e.getMessage(), e);
      }
    }
  }
}
