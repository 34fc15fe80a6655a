package dev.facebeam.pipelines.embed;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.facebeam.UserInputException;
import dev.facebeam.codec.export.DevkitFeature;
import dev.facebeam.io.StageFiles;
import dev.facebeam.io.StageOutput;
import dev.facebeam.pipelines.Fixtures;
import dev.facebeam.pipelines.ingest.IngestPipeline;
import dev.facebeam.proto.Embedding;
import dev.facebeam.proto.StageManifest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class EmbedPipelineTest {
  @ClassRule public static TemporaryFolder tmp = new TemporaryFolder();
  private static Path lfwRecords;

  @BeforeClass
  public static void ingestLfw() throws Exception {
    System.setProperty("ai.djl.offline", "true");
    lfwRecords = tmp.getRoot().toPath().resolve("lfw-records");
    IngestPipeline.run(Fixtures.ingestOptions(Fixtures.shared("bin/small_lfw.bin"), lfwRecords));
  }

  public static EmbedOptions options(Path records, Path output) {
    EmbedOptions o = PipelineOptionsFactory.fromArgs("--runner=DirectRunner").as(EmbedOptions.class);
    o.setRecords(records.toString());
    o.setModel(Fixtures.shared("models/faceplugin/fr_feature.onnx").toString());
    o.setOutput(output.toString());
    return o;
  }

  @Test
  public void lfwPackEmbedsWithNpyExportsInPackOrder() throws Exception {
    Path out = tmp.getRoot().toPath().resolve("lfw-emb");
    EmbedOptions o = options(lfwRecords, out);
    o.setExportNpy(true);
    o.setMean(127f); // the faceplugin port's normalisation
    StageManifest m = EmbedPipeline.run(o).manifest();
    assertEquals(20, m.getRead());
    assertEquals(20, m.getWritten());
    assertEquals(10, m.getPairs());
    assertEquals("512", m.getParametersOrThrow("embedding_size"));
    assertEquals("1", m.getParametersOrThrow("fixed_batch"));
    assertThat(m.getParametersOrThrow("preprocessing"), containsString("(x - 127.0) * 0.0078125, RGB"));
    assertEquals(64, m.getParametersOrThrow("model_sha256").length());
    // Not embedded Flink: each worker divides its own cores among the embed slots open in its JVM.
    assertEquals("each worker's cores / the embed slots open in its JVM", m.getParametersOrThrow("threads_per_slot"));
    // embeddings.npy: header says (20, 512) float32; rows follow the pack order bin-0 … bin-19.
    byte[] npy = Files.readAllBytes(out.resolve("embeddings.npy"));
    int headerLen = ByteBuffer.wrap(npy, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort();
    String header = new String(npy, 10, headerLen, StandardCharsets.US_ASCII);
    assertThat(header, containsString("'descr': '<f4'"));
    assertThat(header, containsString("'shape': (20, 512)"));
    assertEquals(0, (10 + headerLen) % 64);
    assertEquals(10 + headerLen + 20 * 512 * 4, npy.length);
    List<String> ids = Files.readAllLines(out.resolve("ids.txt"));
    assertEquals("bin-000000000", ids.get(0));
    assertEquals("bin-000000019", ids.get(19));
    assertEquals(List.of("1", "1", "1", "1", "1", "1", "1", "1", "1", "1"), Files.readAllLines(out.resolve("issame.txt")));
    Map<String, Embedding> byId = StageFiles.readFramed(out.resolve(m.getShards(0)), Embedding.parser()).stream()
        .collect(Collectors.toMap(Embedding::getId, e -> e));
    ByteBuffer data = ByteBuffer.wrap(npy, 10 + headerLen, 20 * 512 * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (String id : ids) {
      Embedding e = byId.get(id);
      for (int k = 0; k < 512; k++) {
        assertEquals(e.getVector(k), data.getFloat(), 0f);
      }
    }
    // raw.npy: (2, 20, 512), original then mirrored; the fused row is their normalised sum.
    byte[] raw = Files.readAllBytes(out.resolve("raw.npy"));
    assertThat(new String(raw, 10, 100, StandardCharsets.US_ASCII), containsString("'shape': (2, 20, 512)"));
    Embedding first = byId.get("bin-000000000");
    double n = 0;
    for (int k = 0; k < 512; k++) {
      double s = first.getRawOriginal(k) + first.getRawFlipped(k);
      n += s * s;
    }
    assertEquals((first.getRawOriginal(7) + first.getRawFlipped(7)) / Math.sqrt(n), first.getVector(7), 1e-6);
    // Every pair of small_lfw is the same person: the real model scores them well above chance.
    for (int i = 0; i < 10; i++) {
      Embedding a = byId.get(ids.get(2 * i));
      Embedding b = byId.get(ids.get(2 * i + 1));
      double cos = 0;
      for (int k = 0; k < 512; k++) {
        cos += a.getVector(k) * b.getVector(k);
      }
      assertTrue("pair " + i + " cosine " + cos, cos > 0.3);
    }
  }

  @Test
  public void rerunsGiveIdenticalEmbeddings() throws Exception {
    StageManifest a = EmbedPipeline.run(options(lfwRecords, tmp.getRoot().toPath().resolve("a"))).manifest();
    StageManifest b = EmbedPipeline.run(options(lfwRecords, tmp.getRoot().toPath().resolve("b"))).manifest();
    assertEquals(a.getOutputsList(), b.getOutputsList());
  }

  @Test
  public void devkitExportMirrorsTheMegaFaceLayout() throws Exception {
    Path root = tmp.newFolder("mf").toPath();
    Files.createDirectories(root.resolve("facescrub_images/Ann_Smith"));
    Files.createDirectories(root.resolve("megaface_images/12/34@N00"));
    Files.copy(Fixtures.shared("orl/s1/1.pgm"), root.resolve("facescrub_images/Ann_Smith/Ann_Smith_1.png"));
    Files.copy(Fixtures.shared("orl/s2/1.pgm"), root.resolve("megaface_images/12/34@N00/555_0.jpg"));
    Files.writeString(root.resolve("facescrub_lst"), "Ann_Smith/Ann_Smith_1.png\n");
    Files.writeString(root.resolve("megaface_lst"), "12/34@N00/555_0.jpg\n");
    Path records = tmp.getRoot().toPath().resolve("mf-records");
    IngestPipeline.run(Fixtures.ingestOptions(root, records));
    Path devkit = tmp.getRoot().toPath().resolve("devkit");
    EmbedOptions o = options(records, tmp.getRoot().toPath().resolve("mf-emb"));
    o.setExportDevkit(devkit.toString());
    o.setAlgo("r100ii");
    EmbedPipeline.run(o);
    Path probe = devkit.resolve("facescrub/Ann_Smith/Ann_Smith_1.png_r100ii.bin");
    Path distractor = devkit.resolve("megaface/12/34@N00/555_0.jpg_r100ii.bin");
    assertEquals(2064, Files.size(probe)); // 16 + 4 · 512
    ByteBuffer h = ByteBuffer.wrap(Files.readAllBytes(distractor)).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(512, h.getInt());
    assertEquals(1, h.getInt());
    assertEquals(4, h.getInt());
    assertEquals(5, h.getInt());
    float[] v = DevkitFeature.decode(Files.readAllBytes(probe));
    double n = 0;
    for (float f : v) {
      n += f * f;
    }
    assertEquals(1.0, n, 1e-5);
  }

  @Test
  public void aRecordsFolderWithoutManifestIsAClearError() throws Exception {
    Path empty = tmp.newFolder("not-a-stage").toPath();
    UserInputException e = assertThrows(UserInputException.class,
        () -> EmbedPipeline.run(options(empty, tmp.getRoot().toPath().resolve("x"))));
    assertThat(e.getMessage(), containsString("no readable manifest.json"));
    StageManifest m = StageOutput.readManifest(lfwRecords);
    assertEquals("ingest", m.getStage());
  }
}
