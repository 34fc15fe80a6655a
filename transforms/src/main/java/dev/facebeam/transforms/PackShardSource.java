package dev.facebeam.transforms;

import dev.facebeam.codec.pack.FacePack;
import dev.facebeam.io.Progress;
import dev.facebeam.io.StageFiles;
import dev.facebeam.packs.ShardIngest;
import dev.facebeam.proto.FaceRecord;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.io.BoundedSource;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * A pack read as ingest's shards: each of the pack's tasks is one split, and reading a split reads
 * its faces, decodes and aligns them and writes them into shard {@code part-k-of-n} (k: the task),
 * emitting one {@link FaceOutcome} per face. No face travels through the runner, so nothing of the
 * input is stored on a worker's disk or held beyond one face; and the splits go out to workers as
 * they ask for them (Flink's input-split assigner), so a slow split does not hold the others
 * (docs/ingest.md).
 */
public final class PackShardSource extends BoundedSource<FaceOutcome> {
  /** The counter of faces read (written or rejected), "ingest.read": a cluster's progress line reads it. */
  public static final String COUNTER_NAMESPACE = "ingest";
  public static final String READ = "read";

  private final FacePack pack;
  private final List<Serializable> tasks; // this source's tasks; the pack carries none (docs/ingest.md)
  private final int first;
  private final int shards;
  private final String dir;
  private final String pngDir;

  private PackShardSource(FacePack pack, List<Serializable> tasks, int first, int shards, String dir, String pngDir) {
    this.pack = pack;
    this.tasks = tasks;
    this.first = first;
    this.shards = shards;
    this.dir = dir;
    this.pngDir = pngDir;
  }

  /** Every task of {@code pack}, shard k into {@code dir}; with {@code pngDir}, a PNG of every aligned face there. */
  public static PackShardSource of(FacePack pack, String dir, String pngDir) {
    List<Serializable> all = new ArrayList<>(pack.tasks());
    return new PackShardSource(pack, all, 0, all.size(), dir, pngDir);
  }

  /** How many shards the pack's tasks write. */
  public int shards() {
    return shards;
  }

  /** One source per task, whatever size is asked for: a task is the unit a worker asks for. */
  @Override
  public List<PackShardSource> split(long desiredBundleSizeBytes, PipelineOptions options) {
    if (tasks.size() <= 1) {
      return List.of(this);
    }
    List<PackShardSource> out = new ArrayList<>(tasks.size());
    for (int i = 0; i < tasks.size(); i++) {
      out.add(new PackShardSource(pack, List.of(tasks.get(i)), first + i, shards, dir, pngDir));
    }
    return out;
  }

  /** Not known before reading; a task is the unit either way. */
  @Override
  public long getEstimatedSizeBytes(PipelineOptions options) {
    return tasks.size();
  }

  @Override
  public Coder<FaceOutcome> getOutputCoder() {
    return FaceOutcome.CODER;
  }

  @Override
  public BoundedReader<FaceOutcome> createReader(PipelineOptions options) {
    return new Reader(this);
  }

  /** Runs one task at a time, the shard written whole before its outcomes are handed on. */
  private static final class Reader extends BoundedReader<FaceOutcome> {
    private final PackShardSource source;
    private final ArrayDeque<FaceOutcome> ready = new ArrayDeque<>();
    private final Counter read = Metrics.counter(COUNTER_NAMESPACE, READ);
    private final Counter rejected = Metrics.counter(COUNTER_NAMESPACE, "rejected");
    private int next;
    private FaceOutcome current;

    Reader(PackShardSource source) {
      this.source = source;
    }

    @Override
    public boolean start() throws IOException {
      return advance();
    }

    @Override
    public boolean advance() throws IOException {
      while (ready.isEmpty() && next < source.tasks.size()) {
        runTask(next++);
      }
      current = ready.poll();
      return current != null;
    }

    private void runTask(int i) throws IOException {
      int shard = source.first + i;
      Path file = Path.of(source.dir, StageFiles.shardName(shard, source.shards));
      ShardIngest.run(source.pack, source.tasks.get(i), file, source.pngDir == null ? null : Path.of(source.pngDir),
          new ShardIngest.Outcomes() {
            @Override
            public void written(FaceRecord aligned) {
              read.inc();
              Progress.add("ingest", 1);
              ready.add(FaceOutcome.written(aligned.getLabel()));
            }

            @Override
            public void rejected(String id, String where, String reason) {
              read.inc();
              rejected.inc();
              Progress.add("ingest", 1);
              ready.add(FaceOutcome.rejected(FaceTags.reject(id, where, reason)));
            }
          });
    }

    @Override
    public FaceOutcome getCurrent() {
      if (current == null) {
        throw new NoSuchElementException();
      }
      return current;
    }

    @Override
    public void close() {}

    @Override
    public PackShardSource getCurrentSource() {
      return source;
    }
  }
}
