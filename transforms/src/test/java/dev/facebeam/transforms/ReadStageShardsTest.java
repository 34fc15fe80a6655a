package dev.facebeam.transforms;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.facebeam.io.StageFiles;
import dev.facebeam.proto.FaceRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Shards read in parts: every record exactly once whatever the number of files; damage named by file and record. */
public class ReadStageShardsTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void fewFilesAreSplitSoThatTasksAreMany() {
    assertEquals(8, ReadStageShards.partsPerFile(1));
    assertEquals(3, ReadStageShards.partsPerFile(3));
    assertEquals(2, ReadStageShards.partsPerFile(5));
    assertEquals(1, ReadStageShards.partsPerFile(8));
    assertEquals(1, ReadStageShards.partsPerFile(25));
  }

  @Test
  public void oneFileReadInPartsGivesEveryRecordOnce() throws Exception {
    List<String> ids = new ArrayList<>();
    List<String> files = List.of(shard("only", 0, 2_003, ids).toString());
    PAssert.that(ids(p, files)).containsInAnyOrder(ids);
    p.run().waitUntilFinish();
  }

  @Test
  public void filesOfUnevenSizesIncludingAnEmptyOne() throws Exception {
    List<String> ids = new ArrayList<>();
    List<String> files = List.of(shard("a", 0, 5, ids).toString(), shard("b", 5, 0, ids).toString(),
        shard("c", 5, 777, ids).toString());
    PAssert.that(ids(p, files)).containsInAnyOrder(ids);
    p.run().waitUntilFinish();
  }

  @Test
  public void eachFileAndPartIsOneSplitAndTheSplitsReadEveryRecordOnce() throws Exception {
    List<String> ids = new ArrayList<>();
    List<String> files = List.of(shard("a", 0, 301, ids).toString(), shard("b", 301, 0, ids).toString(),
        shard("c", 301, 45, ids).toString());
    StageShardSource<FaceRecord> source = StageShardSource.of(files, 3, FaceRecord.class);
    org.apache.beam.sdk.options.PipelineOptions options = org.apache.beam.sdk.options.PipelineOptionsFactory.create();
    List<StageShardSource<FaceRecord>> splits = source.split(1, options);
    assertEquals("3 files x 3 parts, whatever bundle size is asked", 9, splits.size());
    assertEquals(List.of(splits.get(4)), splits.get(4).split(1, options));
    org.apache.beam.sdk.testing.SourceTestUtils.assertSourcesEqualReferenceSource(source, splits, options);
    assertEquals(ids.size(), org.apache.beam.sdk.testing.SourceTestUtils.readFromSource(source, options).size());
  }

  @Test
  public void theReadCountWalksTheFilesWithoutTheRecordsFlowing() throws Exception {
    List<String> ids = new ArrayList<>();
    List<String> files = List.of(shard("a", 0, 1_234, ids).toString(), shard("b", 0, 0, ids).toString(),
        shard("c", 0, 301, ids).toString());
    PAssert.thatSingleton(p.apply(ReadStageShards.countRecords(files))).isEqualTo(1_535L);
    p.run().waitUntilFinish();
  }

  @Test
  public void aTruncatedShardNamesTheFileAndTheRecord() throws Exception {
    Path file = shard("cut", 0, 10, new ArrayList<>());
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 5));
    Pipeline q = Pipeline.create();
    ids(q, List.of(file.toString()));
    Exception e = assertThrows(Exception.class, () -> q.run().waitUntilFinish());
    String all = messages(e);
    assertTrue(all, all.contains(file + "#record=9") && all.contains("corrupt stage shard"));
    Pipeline c = Pipeline.create();
    c.apply(ReadStageShards.countRecords(List.of(file.toString())));
    String counting = messages(assertThrows(Exception.class, () -> c.run().waitUntilFinish()));
    assertTrue(counting, counting.contains(file + "#record=9"));
  }

  @Test
  public void aRecordThatDoesNotParseNamesItsPosition() throws Exception {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    FaceRecord.newBuilder().setId("f-0").build().writeDelimitedTo(bytes);
    bytes.write(new byte[] {3, 0, 0, 0}); // record 1: three bytes whose first is field number 0, which protobuf forbids
    FaceRecord.newBuilder().setId("f-2").build().writeDelimitedTo(bytes);
    Path file = tmp.getRoot().toPath().resolve("bad.pb");
    Files.write(file, bytes.toByteArray());
    Pipeline q = Pipeline.create();
    ids(q, List.of(file.toString()));
    Exception e = assertThrows(Exception.class, () -> q.run().waitUntilFinish());
    String all = messages(e);
    assertTrue(all, all.contains(file + "#record=1"));
  }

  private static org.apache.beam.sdk.values.PCollection<String> ids(Pipeline pipeline, List<String> files) {
    return pipeline.apply(ReadStageShards.of(files, FaceRecord.class))
        .apply(MapElements.into(TypeDescriptors.strings()).via(FaceRecord::getId));
  }

  private Path shard(String name, int from, int count, List<String> ids) throws Exception {
    List<FaceRecord> records = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      String id = String.format("f-%06d", i);
      // sizes vary across the one-byte / two-byte length prefix boundary
      records.add(FaceRecord.newBuilder().setId(id).setLabel(i).setRelativePath("x".repeat(i % 300)).build());
      ids.add(id);
    }
    Path file = tmp.getRoot().toPath().resolve(name + ".pb");
    StageFiles.writeFramed(file, records);
    return file;
  }

  private static String messages(Throwable e) {
    StringBuilder b = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      b.append(t.getMessage()).append(" | ");
    }
    return b.toString();
  }
}
