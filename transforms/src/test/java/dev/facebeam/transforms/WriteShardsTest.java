package dev.facebeam.transforms;

import static org.junit.Assert.assertEquals;

import dev.facebeam.io.StageFiles;
import dev.facebeam.proto.FaceRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Shards: every record in the shard its id hashes to, sorted by id, and counted as written. */
public class WriteShardsTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void everyRecordLandsSortedInItsShardAndIsCounted() throws Exception {
    List<FaceRecord> records = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      records.add(FaceRecord.newBuilder().setId(String.format("img-%09d", (i * 37) % 50)).setLabel(i).build());
    }
    Path dir = tmp.newFolder("out").toPath();
    String root = dir.toString(); // the check below is serialised: a Path is not
    PCollection<WriteShards.Written> written = p.apply(Create.of(records).withCoder(ProtoCoder.of(FaceRecord.class)))
        .apply(WriteShards.of(dir.toString(), 3, FaceRecord.class, FaceRecord::getId));
    PAssert.that(written).satisfies(files -> { // each file named and counted as the records it holds say
      List<String> names = new ArrayList<>();
      long sum = 0;
      for (WriteShards.Written w : files) {
        names.add(w.file());
        sum += w.records();
        try {
          List<FaceRecord> shard = StageFiles.readFramed(Path.of(root, w.file()), FaceRecord.parser());
          assertEquals(w.file(), shard.size(), w.records());
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
      java.util.Collections.sort(names);
      assertEquals(List.of(StageFiles.shardName(0, 3), StageFiles.shardName(1, 3), StageFiles.shardName(2, 3)), names);
      assertEquals(50, sum);
      return null;
    });
    PipelineResult result = p.run();
    result.waitUntilFinish();

    int total = 0;
    for (int s = 0; s < 3; s++) {
      List<FaceRecord> shard = StageFiles.readFramed(dir.resolve(StageFiles.shardName(s, 3)), FaceRecord.parser());
      for (int i = 0; i < shard.size(); i++) {
        assertEquals(s, WriteShards.shardOf(shard.get(i).getId(), 3));
        if (i > 0) {
          assertEquals(-1, Integer.signum(shard.get(i - 1).getId().compareTo(shard.get(i).getId())));
        }
      }
      total += shard.size();
    }
    assertEquals(50, total);
    long counted = 0;
    for (MetricResult<Long> c : result.metrics().queryMetrics(MetricsFilter.builder()
        .addNameFilter(MetricNameFilter.named("shards", "written")).build()).getCounters()) {
      counted += c.getAttempted();
    }
    assertEquals(50, counted);
  }
}
