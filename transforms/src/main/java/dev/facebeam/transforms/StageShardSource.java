package dev.facebeam.transforms;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.io.BoundedSource;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * A stage's shard files as a source: each (file, part) is one split, and part k of n reads every n-th
 * record of its file from the k-th, skipping the rest by their length prefix. The splits go out to
 * workers as they ask for them (Flink's input-split assigner), as ingest's pack tasks do, so a slow
 * part does not hold the others and no record passes through a shuffle (docs/ingest.md).
 */
public final class StageShardSource<T extends Message> extends BoundedSource<T> {
  private final List<String> files;
  private final int parts;
  private final int part; // -1: every part of every file (before splitting)
  private final Class<T> type;

  private StageShardSource(List<String> files, int parts, int part, Class<T> type) {
    this.files = files;
    this.parts = parts;
    this.part = part;
    this.type = type;
  }

  /** Every file of {@code files} read in {@code parts} parts. */
  public static <T extends Message> StageShardSource<T> of(List<String> files, int parts, Class<T> type) {
    return new StageShardSource<>(List.copyOf(files), parts, -1, type);
  }

  /** One source per file and part, whatever size is asked for: a part is the unit a worker asks for. */
  @Override
  public List<StageShardSource<T>> split(long desiredBundleSizeBytes, PipelineOptions options) {
    if (part >= 0) {
      return List.of(this);
    }
    List<StageShardSource<T>> out = new ArrayList<>(files.size() * parts);
    for (String file : files) {
      for (int k = 0; k < parts; k++) {
        out.add(new StageShardSource<>(List.of(file), parts, k, type));
      }
    }
    return out;
  }

  @Override
  public long getEstimatedSizeBytes(PipelineOptions options) throws IOException {
    long bytes = 0;
    for (String file : files) {
      bytes += Files.size(Path.of(file));
    }
    return part >= 0 ? bytes / parts : bytes;
  }

  @Override
  public Coder<T> getOutputCoder() {
    return ProtoCoder.of(type);
  }

  @Override
  public BoundedReader<T> createReader(PipelineOptions options) throws IOException {
    return new Reader<>(this);
  }

  /** Reads the source's files in turn (one, once split), keeping its part's records. */
  private static final class Reader<T extends Message> extends BoundedReader<T> {
    private final StageShardSource<T> source;
    private final Parser<T> parser;
    private int nextFile;
    private FramedRecords records;
    private T current;

    @SuppressWarnings("unchecked")
    Reader(StageShardSource<T> source) throws IOException {
      this.source = source;
      try {
        this.parser = (Parser<T>) ((Message) source.type.getMethod("getDefaultInstance").invoke(null)).getParserForType();
      } catch (ReflectiveOperationException e) {
        throw new IOException("not a protobuf message type: " + source.type, e);
      }
    }

    @Override
    public boolean start() throws IOException {
      return advance();
    }

    @Override
    public boolean advance() throws IOException {
      while (true) {
        if (records == null) {
          if (nextFile == source.files.size()) {
            current = null;
            return false;
          }
          int parts = source.part >= 0 ? source.parts : 1;
          int part = Math.max(0, source.part);
          records = new FramedRecords(source.files.get(nextFile++), r -> r % parts == part);
        }
        byte[] bytes = records.next();
        if (bytes != null) {
          try {
            current = parser.parseFrom(bytes);
          } catch (InvalidProtocolBufferException e) {
            throw records.unparsable(e);
          }
          return true;
        }
        records.close();
        records = null;
      }
    }

    @Override
    public T getCurrent() {
      if (current == null) {
        throw new NoSuchElementException();
      }
      return current;
    }

    @Override
    public void close() throws IOException {
      if (records != null) {
        records.close();
      }
    }

    @Override
    public StageShardSource<T> getCurrentSource() {
      return source;
    }
  }
}
