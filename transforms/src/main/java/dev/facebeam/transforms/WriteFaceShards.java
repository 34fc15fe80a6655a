package dev.facebeam.transforms;

import com.google.common.hash.Hashing;
import dev.facebeam.io.StageFiles;
import dev.facebeam.proto.FaceRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;

/**
 * Writes face records into {@code part-NNNNN-of-MMMMM.pb} files of framed protobufs. A record's shard
 * is a hash of its id and each shard is sorted by id, so the same input always gives byte-identical
 * files, whatever the runner, parallelism or retries. Emits the names of the files it wrote.
 */
public final class WriteFaceShards extends PTransform<PCollection<FaceRecord>, PCollection<String>> {
  private final String dir;
  private final int shards;

  public WriteFaceShards(String dir, int shards) {
    this.dir = dir;
    this.shards = shards;
  }

  /** The shard of a record id: stable across JVMs and runs. */
  public static int shardOf(String id, int shards) {
    return Math.floorMod(Hashing.murmur3_32_fixed().hashString(id, StandardCharsets.UTF_8).asInt(), shards);
  }

  @Override
  public PCollection<String> expand(PCollection<FaceRecord> faces) {
    final int n = shards;
    return faces
        .apply("KeyByShard", ParDo.of(new DoFn<FaceRecord, KV<Integer, FaceRecord>>() {
          @ProcessElement
          public void process(@Element FaceRecord f, OutputReceiver<KV<Integer, FaceRecord>> out) {
            out.output(KV.of(shardOf(f.getId(), n), f));
          }
        }))
        .setCoder(KvCoder.of(VarIntCoder.of(), ProtoCoder.of(FaceRecord.class)))
        .apply("GroupShards", GroupByKey.create())
        .apply("WriteShard", ParDo.of(new WriteShardFn(dir, n)))
        .setCoder(StringUtf8Coder.of());
  }

  static final class WriteShardFn extends DoFn<KV<Integer, Iterable<FaceRecord>>, String> {
    private final String dir;
    private final int shards;

    WriteShardFn(String dir, int shards) {
      this.dir = dir;
      this.shards = shards;
    }

    @ProcessElement
    public void process(@Element KV<Integer, Iterable<FaceRecord>> shard, OutputReceiver<String> out) throws IOException {
      // Keep only (id, framed bytes): sorting needs the whole shard, so hold it compactly.
      List<Map.Entry<String, byte[]>> items = new ArrayList<>();
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      for (FaceRecord f : shard.getValue()) {
        buf.reset();
        f.writeDelimitedTo(buf);
        items.add(Map.entry(f.getId(), buf.toByteArray()));
      }
      items.sort(Map.Entry.comparingByKey(Comparator.naturalOrder()));
      String name = StageFiles.shardName(shard.getKey(), shards);
      StageFiles.writeFramedBytes(Path.of(dir, name), items.stream().map(Map.Entry::getValue).toList());
      out.output(name);
    }
  }
}
