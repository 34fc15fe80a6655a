package dev.facebeam.transforms;

import com.google.protobuf.Message;
import java.io.IOException;
import java.util.List;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;

/**
 * Reads a stage's shard files (framed protobufs), records streamed. Each file is read by one task,
 * or, when there are few files, by several: task k of n keeps every n-th record from the k-th and
 * skips the rest by their length prefix. Each (file, part) is a split of one source that workers
 * take as they ask ({@link StageShardSource}), so the work spreads over the workers without shuffling
 * anything — on Flink's batch runner a Reshuffle is a full GroupBy, which would serialise, sort and
 * hold every record (gigabytes of faces) before the first one reached the next step.
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
    return begin.apply("ReadShardParts", Read.from(StageShardSource.of(files, partsPerFile(files.size()), type)));
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
                out.output(count(file));
              }
            }))
            .apply("Sum", Sum.longsGlobally());
      }
    };
  }

  /** How many length-prefixed records {@code file} holds, each skipped unread; damage names the file and the record. */
  static long count(String file) throws IOException {
    try (FramedRecords records = new FramedRecords(file, record -> false)) {
      records.next();
      return records.records();
    }
  }
}
