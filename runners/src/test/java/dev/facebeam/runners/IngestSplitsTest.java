package dev.facebeam.runners;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import dev.facebeam.codec.pack.FacePack;
import dev.facebeam.packs.PackOpener;
import dev.facebeam.transforms.FaceOutcome;
import dev.facebeam.transforms.PackShardSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.PriorityQueue;
import java.util.Set;
import org.apache.beam.runners.flink.translation.wrappers.SourceInputFormat;
import org.apache.beam.runners.flink.translation.wrappers.SourceInputSplit;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.flink.core.io.InputSplit;
import org.apache.flink.core.io.InputSplitAssigner;
import org.junit.Test;

/**
 * How Flink hands out ingest's work: the input format Beam's Flink runner makes of the pack's source
 * has one split per task, and its assigner gives a worker its next split only when it asks. Two
 * workers asking as they finish, over tasks whose costs differ 10×, are both busy until the last
 * 10% of the run — where a split fixed per worker up front leaves one idle most of the time.
 */
public class IngestSplitsTest {
  @Test
  public void splitsGoOutOnDemandSoTasksTenTimesCostlierDoNotHoldTheRun() throws Exception {
    Path orl = Path.of(System.getProperty("facebeam.sharedData", "../../shared/data"), "orl").toAbsolutePath().normalize();
    assumeTrue("real fixtures not found at " + orl, Files.isDirectory(orl));
    FacePack pack = PackOpener.open(orl, "folder", null, 4); // 400 faces: 100 tasks of 4
    PackShardSource source = PackShardSource.of(pack, "/never-written", null);
    SourceInputFormat<FaceOutcome> format = new SourceInputFormat<>("Ingest/AlignIntoShards", source, PipelineOptionsFactory.create());
    SourceInputSplit<FaceOutcome>[] splits = format.createInputSplits(2);
    assertEquals("one split per task, whatever parallelism asks", pack.tasks().size(), splits.length);
    assertEquals(100, splits.length);

    // Every fourth task costs ten times the others (larger images, say): 325 units in all.
    long[] cost = new long[splits.length];
    for (int k = 0; k < cost.length; k++) {
      cost[k] = k % 4 == 0 ? 10 : 1;
    }
    long[] onDemand = run(format.getInputSplitAssigner(splits), cost, 2);
    long total = Arrays.stream(cost).sum();
    assertEquals(total, onDemand[0] + onDemand[1]);
    long end = Math.max(onDemand[0], onDemand[1]);
    long idle = end - Math.min(onDemand[0], onDemand[1]);
    assertTrue("idle " + idle + " of " + end, idle <= end / 10);

    // The same tasks fixed per worker up front (every other one each): one worker idle most of the run.
    long even = 0;
    long odd = 0;
    for (int k = 0; k < cost.length; k++) {
      if (k % 2 == 0) {
        even += cost[k];
      } else {
        odd += cost[k];
      }
    }
    assertTrue(Math.max(even, odd) - Math.min(even, odd) > Math.max(even, odd) / 2);
  }

  @Test
  public void embedsShardPartsAreSplitsHandedOutTheSameWay() throws Exception {
    Path dir = Files.createTempDirectory("facebeam-splits");
    try {
      java.util.List<String> files = new java.util.ArrayList<>();
      for (int f = 0; f < 20; f++) {
        java.util.List<dev.facebeam.proto.FaceRecord> records = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
          records.add(dev.facebeam.proto.FaceRecord.newBuilder().setId("f" + f + "-" + i).build());
        }
        Path file = dir.resolve("part-" + f);
        dev.facebeam.io.StageFiles.writeFramed(file, records);
        files.add(file.toString());
      }
      var source = dev.facebeam.transforms.StageShardSource.of(files, 2, dev.facebeam.proto.FaceRecord.class);
      SourceInputFormat<dev.facebeam.proto.FaceRecord> format =
          new SourceInputFormat<>("Embed/ReadRecords", source, PipelineOptionsFactory.create());
      SourceInputSplit<dev.facebeam.proto.FaceRecord>[] splits = format.createInputSplits(2);
      assertEquals("one split per file and part, whatever parallelism asks", 40, splits.length);
      long[] cost = new long[splits.length];
      for (int k = 0; k < cost.length; k++) {
        cost[k] = k % 4 == 0 ? 10 : 1; // a slow disk or a costly network's parts
      }
      long[] onDemand = run(format.getInputSplitAssigner(splits), cost, 2);
      long end = Math.max(onDemand[0], onDemand[1]);
      assertEquals(Arrays.stream(cost).sum(), onDemand[0] + onDemand[1]);
      assertTrue("idle " + (end - Math.min(onDemand[0], onDemand[1])) + " of " + end,
          end - Math.min(onDemand[0], onDemand[1]) <= end / 10);
    } finally {
      try (var s = Files.walk(dir)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /**
   * Workers that ask the assigner for a split whenever they are free, a split of task k taking
   * cost[k]: what each worker was busy for. Each split is handed out exactly once.
   */
  private static long[] run(InputSplitAssigner assigner, long[] cost, int workers) {
    long[] busy = new long[workers];
    Set<Integer> seen = new HashSet<>();
    PriorityQueue<long[]> free = new PriorityQueue<>((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
    for (int w = 0; w < workers; w++) {
      free.add(new long[] {0, w});
    }
    while (!free.isEmpty()) {
      long[] next = free.poll();
      int w = (int) next[1];
      InputSplit split = assigner.getNextInputSplit("localhost", w);
      if (split == null) {
        continue;
      }
      assertTrue("split " + split.getSplitNumber() + " handed out twice", seen.add(split.getSplitNumber()));
      busy[w] = next[0] + cost[split.getSplitNumber()];
      free.add(new long[] {busy[w], w});
    }
    assertEquals(cost.length, seen.size());
    assertNull(assigner.getNextInputSplit("localhost", 0));
    return busy;
  }
}
