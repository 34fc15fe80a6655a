package dev.facebeam.transforms;

import com.google.common.hash.Hashing;
import com.google.protobuf.Message;
import dev.facebeam.io.StageFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;

/**
 * Writes records into {@code part-NNNNN-of-MMMMM.pb} files of framed protobufs. A record's shard is
 * a hash of its id and each shard is sorted by id, so the same input always gives byte-identical
 * files, whatever the runner, parallelism or retries. Emits what it wrote, a {@link Written} per
 * file: a stage counts its records from these, not with a second reader of the records (on Flink
 * that reader makes the batch optimizer store every record on disk first; docs/outputs.md).
 */
public final class WriteShards<T extends Message> extends PTransform<PCollection<T>, PCollection<WriteShards.Written>> {
  private final String dir;
  private final int shards;
  private final Class<T> type;
  private final SerializableFunction<T, String> id;

  private WriteShards(String dir, int shards, Class<T> type, SerializableFunction<T, String> id) {
    this.dir = dir;
    this.shards = shards;
    this.type = type;
    this.id = id;
  }

  public static <T extends Message> WriteShards<T> of(String dir, int shards, Class<T> type, SerializableFunction<T, String> id) {
    return new WriteShards<>(dir, shards, type, id);
  }

  /** One written file: its name and how many records it holds. */
  public record Written(String file, long records) implements java.io.Serializable {}

  /** The shard of a record id: stable across JVMs and runs. */
  public static int shardOf(String id, int shards) {
    return Math.floorMod(Hashing.murmur3_32_fixed().hashString(id, StandardCharsets.UTF_8).asInt(), shards);
  }

  /** How many shards hold {@code records} at about {@code perShard} each. */
  public static int shardsFor(long records, int perShard) {
    return (int) Math.max(1, Math.min(100_000, (records + perShard - 1) / Math.max(1, perShard)));
  }

  @Override
  public PCollection<Written> expand(PCollection<T> records) {
    return records
        .apply("KeyByShard", ParDo.of(new KeyFn<>(shards, id)))
        .setCoder(KvCoder.of(VarIntCoder.of(), ProtoCoder.of(type)))
        .apply("GroupShards", GroupByKey.create())
        .apply("WriteShard", ParDo.of(new WriteShardFn<>(dir, shards, id)))
        .setCoder(org.apache.beam.sdk.coders.SerializableCoder.of(Written.class));
  }

  static final class KeyFn<T> extends DoFn<T, KV<Integer, T>> {
    private final int shards;
    private final SerializableFunction<T, String> id;

    KeyFn(int shards, SerializableFunction<T, String> id) {
      this.shards = shards;
      this.id = id;
    }

    @ProcessElement
    public void process(@Element T r, OutputReceiver<KV<Integer, T>> out) {
      out.output(KV.of(shardOf(id.apply(r), shards), r));
    }
  }

  static final class WriteShardFn<T extends Message> extends DoFn<KV<Integer, Iterable<T>>, Written> {
    private final String dir;
    private final int shards;
    private final SerializableFunction<T, String> id;
    // Each stage is its own job, so one name serves ingest and embed: records now in a written shard file.
    private final Counter written = Metrics.counter("shards", "written");

    WriteShardFn(String dir, int shards, SerializableFunction<T, String> id) {
      this.dir = dir;
      this.shards = shards;
      this.id = id;
    }

    @ProcessElement
    public void process(@Element KV<Integer, Iterable<T>> shard, OutputReceiver<Written> out) throws IOException {
      // Keep only (id, framed bytes): sorting needs the whole shard, so hold it compactly.
      List<Map.Entry<String, byte[]>> items = new ArrayList<>();
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      for (T r : shard.getValue()) {
        buf.reset();
        r.writeDelimitedTo(buf);
        items.add(Map.entry(id.apply(r), buf.toByteArray()));
      }
      items.sort(Map.Entry.comparingByKey());
      String name = StageFiles.shardName(shard.getKey(), shards);
      // Hashed as it is written: the driver does not read the shards back for the manifest.
      StageFiles.writeOutputAtomically(Path.of(dir, name), o -> {
        for (Map.Entry<String, byte[]> item : items) {
          o.write(item.getValue());
        }
      });
      written.inc(items.size());
      out.output(new Written(name, items.size()));
    }
  }
}
