package dev.facebeam.pipelines.ingest;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.facebeam.UserInputException;
import dev.facebeam.codec.pack.VerificationPack;
import dev.facebeam.codec.pickle.PickleWriter;
import dev.facebeam.io.StageFiles;
import dev.facebeam.io.StageOutput;
import dev.facebeam.pipelines.Fixtures;
import dev.facebeam.pipelines.pack.PackJob;
import dev.facebeam.pipelines.pack.PackOptions;
import dev.facebeam.pipelines.stage.StageLayout;
import dev.facebeam.proto.AlignMethod;
import dev.facebeam.proto.FaceRecord;
import dev.facebeam.proto.StageManifest;
import dev.facebeam.proto.VerificationPair;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class IngestPipelineTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  private static byte[] jpeg(int seed) {
    byte[] px = new byte[112 * 112 * 3];
    for (int i = 0; i < px.length; i++) {
      px[i] = (byte) (i * seed % 253);
    }
    return dev.facebeam.codec.image.ImageCodec.encodeJpeg(new dev.facebeam.codec.image.RgbPixels(112, 112, px), 90);
  }

  @Test
  public void halfAJpegIsRejectedWithItsReasonAndAStageThatWroteNothingFails() throws Exception {
    Path root = tmp.newFolder("faces").toPath();
    Files.createDirectories(root.resolve("alice"));
    byte[] whole = jpeg(7);
    Files.write(root.resolve("alice/1.jpg"), whole);
    Files.write(root.resolve("alice/2.jpg"), java.util.Arrays.copyOf(jpeg(11), whole.length / 2));
    Path out = tmp.getRoot().toPath().resolve("mixed");
    IngestPipeline.run(Fixtures.ingestOptions(root, out));
    StageManifest m = StageOutput.readManifest(out);
    assertEquals(2, m.getRead());
    assertEquals(1, m.getWritten());
    assertEquals(1, m.getRejected());
    assertThat(Files.readString(out.resolve("rejects.jsonl")), containsString("truncated JPEG"));

    // Every image cut short: the output (with each reason) is committed, and the stage fails with the count.
    Files.write(root.resolve("alice/1.jpg"), java.util.Arrays.copyOf(whole, whole.length / 2));
    Path none = tmp.getRoot().toPath().resolve("none");
    UserInputException e = assertThrows(UserInputException.class,
        () -> IngestPipeline.run(Fixtures.ingestOptions(root, none)));
    assertThat(e.getMessage(), containsString("all 2 records read were rejected"));
    assertEquals(2, StageOutput.readManifest(none).getRejected());
  }

  @Test
  public void smallLfwBinGivesTwentyFacesAndTenPositivePairs() throws Exception {
    Path out = tmp.getRoot().toPath().resolve("lfw");
    IngestPipeline.Result r = IngestPipeline.run(Fixtures.ingestOptions(Fixtures.shared("bin/small_lfw.bin"), out));
    StageManifest m = StageOutput.readManifest(out);
    assertEquals("bin", m.getFormat());
    assertEquals(20, m.getRead());
    assertEquals(20, m.getWritten());
    assertEquals(0, m.getRejected());
    assertEquals(10, m.getPairs());
    assertEquals(10, m.getPositivePairs());
    assertEquals(r.manifest(), m);
    List<FaceRecord> faces = Fixtures.records(out);
    assertEquals(20, faces.size());
    assertTrue(faces.stream().allMatch(f -> f.getAlignMethod() == AlignMethod.PASSTHROUGH && f.getWidth() == 112));
    List<VerificationPair> pairs = StageFiles.readFramed(out.resolve(StageLayout.PAIRS), VerificationPair.parser());
    assertEquals(10, pairs.size());
    assertEquals("bin-000000006", pairs.get(3).getFirstId());
    assertEquals("bin-000000007", pairs.get(3).getSecondId());
    assertTrue(pairs.stream().allMatch(VerificationPair::getIssame));
    assertEquals("", Files.readString(out.resolve("rejects.jsonl")));
  }

  @Test
  public void corruptImagesAreRejectedAndCountsReconcile() throws Exception {
    VerificationPack real = VerificationPack.read(Fixtures.shared("bin/small_lfw.bin"));
    List<byte[]> images = new ArrayList<>(real.images());
    images.set(3, java.util.Arrays.copyOf(images.get(3), 300)); // truncated JPEG
    images.set(8, new byte[] {1, 2, 3}); // not an image at all
    Path bin = tmp.getRoot().toPath().resolve("broken.bin");
    new VerificationPack(images, real.issame()).write(bin, 2, PickleWriter.ElementForm.BYTES);
    Path out = tmp.getRoot().toPath().resolve("broken");
    StageManifest m = IngestPipeline.run(Fixtures.ingestOptions(bin, out)).manifest();
    assertEquals(20, m.getRead());
    assertEquals(18, m.getWritten());
    assertEquals(2, m.getRejected());
    assertEquals(m.getRead(), m.getWritten() + m.getRejected());
    List<String> rejects = Files.readAllLines(out.resolve("rejects.jsonl"), StandardCharsets.UTF_8);
    assertEquals(2, rejects.size());
    String all = String.join("\n", rejects);
    assertThat(all, containsString("broken.bin#image=3"));
    assertThat(all, containsString("\"reason\":\"corrupt jpeg"));
    assertThat(all, containsString("broken.bin#image=8"));
    assertThat(all, containsString("unrecognised image format"));
    assertEquals(18, Fixtures.records(out).size());
  }

  @Test
  public void rerunGivesByteIdenticalShardsAndReplacesTheOutput() throws Exception {
    Path out = tmp.getRoot().toPath().resolve("orl");
    IngestOptions o = Fixtures.ingestOptions(Fixtures.shared("orl"), out);
    o.setRecordsPerShard(150); // 400 faces → 3 shards
    StageManifest first = IngestPipeline.run(o).manifest();
    assertEquals(3, first.getShardsCount());
    assertEquals(400, first.getWritten());
    assertEquals(40, first.getIdentities());
    Map<String, String> hashes1 = first.getOutputsList().stream().collect(Collectors.toMap(d -> d.getPath(), d -> d.getSha256()));
    // A crash leftover from an earlier run (it carries facebeam's marker) is cleaned up, not mistaken for output.
    Files.createDirectories(out.resolveSibling(".orl.inprogress-dead"));
    Files.writeString(out.resolveSibling(".orl.inprogress-dead/.facebeam-temporary"), "facebeam temporary of " + out + " (pid 1)\n");
    StageManifest second = IngestPipeline.run(o).manifest();
    Map<String, String> hashes2 = second.getOutputsList().stream().collect(Collectors.toMap(d -> d.getPath(), d -> d.getSha256()));
    assertEquals(hashes1, hashes2);
    assertFalse(Files.exists(out.resolveSibling(".orl.inprogress-dead")));
    List<FaceRecord> faces = Fixtures.records(out);
    assertEquals(400, faces.size());
    assertTrue(faces.stream().allMatch(f -> f.getAlignMethod() == AlignMethod.CENTER_CROP && f.getAligned().getPixels().size() == 112 * 112 * 3));
  }

  @Test
  public void structuralErrorsFailBeforeAnyOutputIsWritten() throws Exception {
    Path bin = tmp.getRoot().toPath().resolve("evil.bin");
    Files.write(bin, "\u0080\u0002cos\nsystem\nX\u0002\u0000\u0000\u0000ls\u0085R.".getBytes(StandardCharsets.ISO_8859_1));
    Path out = tmp.getRoot().toPath().resolve("evil");
    UserInputException e = assertThrows(UserInputException.class, () -> IngestPipeline.run(Fixtures.ingestOptions(bin, out)));
    assertThat(e.getMessage(), containsString("evil.bin@byte=2"));
    assertThat(e.getMessage(), containsString("'os.system'"));
    assertFalse(Files.exists(out));
  }

  @Test
  public void packThenIngestRoundTripsOrlThroughAnInsightFaceRec() throws Exception {
    Path rec = tmp.getRoot().toPath().resolve("orl/train.rec");
    Files.createDirectories(rec.getParent());
    PackJob.Result packed = PackJob.run(Fixtures.packOptions(Fixtures.shared("orl"), rec));
    assertEquals(400, packed.imagesWritten());
    assertEquals(40, packed.identities());
    assertEquals("40,112,112", Files.readString(rec.resolveSibling("property")).strip());
    Path out = tmp.getRoot().toPath().resolve("orl-ingested");
    StageManifest m = IngestPipeline.run(Fixtures.ingestOptions(rec.getParent(), out)).manifest();
    assertEquals("insightface", m.getParametersMap().get("layout"));
    assertEquals(40, m.getDeclaredIdentities());
    assertEquals(400, m.getWritten());
    assertEquals(40, m.getIdentities());
    assertTrue(Fixtures.records(out).stream().allMatch(f -> f.getAlignMethod() == AlignMethod.PASSTHROUGH));
  }

  @Test
  public void packBuildsAVerificationBinFromOrlPairs() throws Exception {
    Path pairs = tmp.getRoot().toPath().resolve("pairs.txt");
    Files.writeString(pairs, "# same, then different\ns1/1.pgm s1/2.pgm 1\ns1/1.pgm s2/1.pgm 0\ns3/4.pgm s3/9.pgm 1\n");
    Path bin = tmp.getRoot().toPath().resolve("orl.bin");
    PackOptions o = Fixtures.packOptions(Fixtures.shared("orl"), bin);
    o.setPairs(pairs.toString());
    o.setProtocol(2);
    assertEquals(3, PackJob.run(o).pairs());
    VerificationPack back = VerificationPack.read(bin);
    assertEquals(6, back.images().size());
    assertArrayEquals(new boolean[] {true, false, true}, back.issame());
    Path out = tmp.getRoot().toPath().resolve("orl-bin");
    StageManifest m = IngestPipeline.run(Fixtures.ingestOptions(bin, out)).manifest();
    assertEquals(6, m.getWritten());
    assertEquals(3, m.getPairs());
    assertEquals(2, m.getPositivePairs());
  }
}
