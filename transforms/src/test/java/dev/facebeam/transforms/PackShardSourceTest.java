package dev.facebeam.transforms;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.facebeam.TestData;
import dev.facebeam.codec.pack.RecPack;
import dev.facebeam.io.StageFiles;
import dev.facebeam.proto.AlignMethod;
import dev.facebeam.proto.FaceRecord;
import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.values.PCollection;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Ingest's reader: a pack's tasks as splits, each writing its own shard of aligned faces. */
public class PackShardSourceTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();

  private static final Path REC = TestData.file("rec/small_lfw/small_lfw_labelled.rec");

  @Test
  public void everyTaskOfTheRealRecIsOneShardInReadingOrder() throws Exception {
    RecPack pack = RecPack.open(REC, 3);
    Path dir = tmp.newFolder("out").toPath();
    PackShardSource source = PackShardSource.of(pack, dir.toString(), null);
    PCollection<FaceOutcome> outcomes = p.apply(Read.from(source));
    PAssert.that(outcomes).satisfies(all -> {
      int n = 0;
      for (FaceOutcome o : all) {
        assertTrue(o.isWritten());
        n++;
      }
      assertEquals(20, n);
      return null;
    });
    p.run().waitUntilFinish();

    // One shard per task, named k of n; together the 20 faces in the .idx's order, each kept as its bytes.
    assertEquals(pack.tasks().size(), source.shards());
    List<FaceRecord> faces = new ArrayList<>();
    for (int k = 0; k < source.shards(); k++) {
      Path shard = dir.resolve(StageFiles.shardName(k, source.shards()));
      assertTrue(shard.toString(), Files.exists(shard));
      faces.addAll(StageFiles.readFramed(shard, FaceRecord.parser()));
    }
    assertEquals(20, faces.size());
    List<Long> keys = new ArrayList<>();
    for (FaceRecord f : faces) {
      assertEquals(AlignMethod.PASSTHROUGH, f.getAlignMethod());
      keys.add(f.getIndex());
    }
    List<Long> sorted = new ArrayList<>(keys);
    sorted.sort(null);
    assertEquals(sorted, keys);
  }

  @Test
  public void eachSplitIsOneTaskAndCarriesOnlyItsOwn() throws Exception {
    // A split is what a worker is sent per task: its size must not grow with the pack's number of tasks.
    PackShardSource few = PackShardSource.of(RecPack.open(REC, 20), "/out", null);
    PackShardSource many = PackShardSource.of(RecPack.open(REC, 1), "/out", null);
    List<PackShardSource> splits = many.split(1L << 30, PipelineOptionsFactory.create());
    assertEquals(many.shards(), splits.size());
    assertTrue(many.shards() >= 20);
    for (PackShardSource s : splits) {
      assertEquals(1, s.split(1, PipelineOptionsFactory.create()).size());
    }
    int oneOfFew = serialized(few.split(1L << 30, PipelineOptionsFactory.create()).get(0));
    int oneOfMany = serialized(splits.get(0));
    assertTrue(oneOfMany + " vs " + oneOfFew, oneOfMany <= oneOfFew);
    assertFalse(serialized(many) <= oneOfMany);
  }

  private static int serialized(Object o) throws Exception {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(b)) {
      out.writeObject(o);
    }
    return b.size();
  }
}
