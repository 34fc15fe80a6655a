package dev.facebeam.codec;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.facebeam.CollectingSink;
import dev.facebeam.TestData;
import dev.facebeam.UserInputException;
import dev.facebeam.codec.pack.FacePack;
import dev.facebeam.codec.pack.FolderPack;
import dev.facebeam.codec.pack.LstLine;
import dev.facebeam.codec.pack.MegaFacePack;
import dev.facebeam.packs.PackOpener;
import dev.facebeam.proto.FaceRecord;
import dev.facebeam.proto.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class PackReadersTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();


  @Test
  public void insightFaceLstLineWithBboxAndLandmarks() {
    LstLine l = LstLine.parse("0\tdir/a.jpg\t7\t10\t20\t110\t140\t1\t2\t3\t4\t5\t6\t7\t8\t9\t10");
    assertFalse(l.aligned());
    assertEquals("dir/a.jpg", l.path());
    assertEquals(7, l.label());
    assertArrayEquals(new double[] {10, 20, 110, 140}, l.bbox(), 0);
    // Five x's then five y's → points (1,6), (2,7), ..., (5,10).
    assertArrayEquals(new double[] {1, 6}, l.landmarks()[0], 0);
    assertArrayEquals(new double[] {5, 10}, l.landmarks()[4], 0);
    LstLine spaces = LstLine.parse("1\tb.png\t3\t10 20 110 140");
    assertTrue(spaces.aligned());
    assertNull(spaces.landmarks());
    LstLine im2rec = LstLine.parse("4\t1.000000\twoman/woman_1.jpg");
    assertEquals("woman/woman_1.jpg", im2rec.path());
    assertEquals(1, im2rec.label());
    assertEquals(4, im2rec.index());
    assertThrows(IllegalArgumentException.class, () -> LstLine.parse("0\ta.jpg\t1\t1\t2\t3"));
    assertThrows(IllegalArgumentException.class, () -> LstLine.parse("just one field"));
  }

  @Test
  public void orlFolderGivesFortyIdentitiesOfTenFaces() {
    FacePack pack = PackOpener.open(TestData.file("orl"), "auto", null);
    assertEquals("folder", pack.format());
    assertEquals(40, pack.summary().declaredIdentities());
    CollectingSink c = CollectingSink.readAll(pack);
    assertEquals(400, c.faces.size());
    assertEquals(List.of(), c.rejects);
    Map<Long, Long> perLabel = c.faces.stream().collect(Collectors.groupingBy(FaceRecord::getLabel, Collectors.counting()));
    assertEquals(40, perLabel.size());
    assertTrue(perLabel.values().stream().allMatch(n -> n == 10));
    FaceRecord first = c.faces.stream().filter(f -> f.getRelativePath().equals("s1/1.pgm")).findFirst().orElseThrow();
    assertEquals("s1", first.getIdentity());
    assertEquals("pgm", first.getEncoded().getFormat());
  }

  @Test
  public void lstPathsThatEscapeTheRootAreRejected() throws Exception {
    Path root = tmp.newFolder("pack").toPath();
    Files.createDirectories(root.resolve("p1"));
    Files.copy(TestData.file("orl/s1/1.pgm"), root.resolve("p1/a.pgm"));
    Files.copy(TestData.file("orl/s1/2.pgm"), tmp.getRoot().toPath().resolve("secret.pgm"));
    Path lst = root.resolve("faces.lst");
    Files.writeString(lst, String.join("\n",
        "0\tp1/a.pgm\t0",
        "0\t../secret.pgm\t1",
        "0\t" + tmp.getRoot().toPath().resolve("secret.pgm") + "\t1",
        "0\tp1/missing.pgm\t2",
        "not a list line",
        "") + "\n");
    CollectingSink c = CollectingSink.readAll(PackOpener.open(lst, "auto", null));
    assertEquals(1, c.faces.size());
    assertEquals(4, c.rejects.size());
    assertThat(c.rejects.get(0), containsString("escapes the pack root"));
    assertThat(c.rejects.get(1), containsString("escapes the pack root"));
    assertThat(c.rejects.get(2), containsString("no such image file"));
    assertThat(c.rejects.get(3), containsString("malformed list line"));
    assertThat(c.rejects.get(3), containsString("faces.lst:5"));
  }

  /** Issue 23: a .lst label of −3 was kept; a label must be a class index (whole, not negative). */
  @Test
  public void lstLabelsThatAreNoClassIndexAreMalformedLines() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LstLine.parse("0\ta.jpg\t-3"));
    assertEquals("label -3 is negative", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> LstLine.parse("4\t-2.000000\tb.jpg"));
    assertEquals("label -2 is negative", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> LstLine.parse("4\t1.500000\tb.jpg"));
    assertEquals("label 1.5 is not a whole number", e.getMessage());
    assertEquals(7, LstLine.parse("4\t7.000000\tb.jpg").label());
  }

  @Test
  public void emptyPacksAreErrors() throws Exception {
    Path lst = tmp.newFile("empty.lst").toPath();
    UserInputException e = assertThrows(UserInputException.class, () -> PackOpener.open(lst, "auto", null));
    assertThat(e.getMessage(), containsString("empty pack"));
    Path dir = tmp.newFolder("nothing").toPath();
    Files.createDirectories(dir.resolve("person"));
    e = assertThrows(UserInputException.class, () -> PackOpener.open(dir, "folder", null));
    assertThat(e.getMessage(), containsString("empty pack"));
  }

  /** A MegaFace pack laid out as InsightFace's testpack, built from ORL faces. */
  private Path megaFacePack() throws Exception {
    Path root = tmp.newFolder("megaface").toPath();
    for (String p : List.of("Aaron_Eckhart", "Zoe_Saldana")) {
      Files.createDirectories(root.resolve("facescrub_images/" + p));
    }
    Files.copy(TestData.file("orl/s1/1.pgm"), root.resolve("facescrub_images/Aaron_Eckhart/Aaron_Eckhart_1.png"));
    Files.copy(TestData.file("orl/s1/2.pgm"), root.resolve("facescrub_images/Aaron_Eckhart/Aaron_Eckhart_136.png"));
    Files.copy(TestData.file("orl/s2/1.pgm"), root.resolve("facescrub_images/Zoe_Saldana/Zoe_Saldana_3.png"));
    Files.createDirectories(root.resolve("megaface_images/375/37531198@N00"));
    Files.copy(TestData.file("orl/s3/1.pgm"), root.resolve("megaface_images/375/37531198@N00/4174611825_0.jpg"));
    Files.copy(TestData.file("orl/s4/1.pgm"), root.resolve("megaface_images/375/37531198@N00/999_1.jpg"));
    Files.writeString(root.resolve("megaface_images/375/37531198@N00/999_1.jpg.json"),
        "{\"bounding_box\": {\"x\": 10, \"y\": 12, \"width\": 60, \"height\": 80},"
            + " \"landmarks\": {\"0\": {\"x\": 62, \"y\": 50}, \"1\": {\"x\": 30, \"y\": 51}, \"2\": {\"x\": 46, \"y\": 70}}}");
    Files.writeString(root.resolve("facescrub_lst"), String.join("\n",
        "facescrub_images/Aaron_Eckhart/Aaron_Eckhart_1.png",
        "facescrub_images/Aaron_Eckhart/Aaron_Eckhart_136.png",
        "Zoe_Saldana/Zoe_Saldana_3.png",
        "facescrub_images/../secret.png") + "\n");
    Files.writeString(root.resolve("megaface_lst"), "375/37531198@N00/4174611825_0.jpg\n375/37531198@N00/999_1.jpg\n");
    Files.writeString(root.resolve("facescrub_noises.txt"), "#Aaron_Eckhart_136.png is mislabelled\nAaron_Eckhart_136.png\n");
    Files.writeString(root.resolve("megaface_noises.txt"), "#noisy distractors\n375/37531198@N00/4174611825_0.jpg\n");
    return root;
  }

  @Test
  public void megaFacePackLabelsProbesByPersonAndFlagsNoise() throws Exception {
    Path root = megaFacePack();
    FacePack pack = PackOpener.open(root, "auto", null);
    assertEquals("megaface", pack.format());
    CollectingSink c = CollectingSink.readAll(pack);
    assertEquals(5, c.faces.size());
    assertEquals(1, c.rejects.size());
    assertThat(c.rejects.get(0), containsString("facescrub_lst:4"));
    assertThat(c.rejects.get(0), containsString("escapes the pack root"));
    Map<String, FaceRecord> byPath = c.faces.stream().collect(Collectors.toMap(FaceRecord::getRelativePath, f -> f));
    FaceRecord aaron = byPath.get("Aaron_Eckhart/Aaron_Eckhart_1.png");
    assertEquals(Role.PROBE, aaron.getRole());
    assertEquals(0, aaron.getLabel());
    assertFalse(aaron.getNoisy());
    assertTrue(byPath.get("Aaron_Eckhart/Aaron_Eckhart_136.png").getNoisy());
    assertEquals(1, byPath.get("Zoe_Saldana/Zoe_Saldana_3.png").getLabel());
    FaceRecord noisy = byPath.get("375/37531198@N00/4174611825_0.jpg");
    assertEquals(Role.DISTRACTOR, noisy.getRole());
    assertTrue(noisy.getNoisy());
    assertEquals(-1, noisy.getLabel());
    FaceRecord withJson = byPath.get("375/37531198@N00/999_1.jpg");
    assertFalse(withJson.getNoisy());
    // Keys "1", "0", "2" in that order: image-left eye, image-right eye, nose.
    assertEquals(3, withJson.getLandmarksCount());
    assertEquals(30f, withJson.getLandmarks(0).getX(), 0f);
    assertEquals(62f, withJson.getLandmarks(1).getX(), 0f);
    assertEquals(70f, withJson.getLandmarks(2).getY(), 0f);
    assertEquals(70f, withJson.getBbox().getX2(), 0f);
    assertEquals(2, pack.summary().declaredIdentities());
    assertEquals(new HashSet<>(List.of("Aaron_Eckhart", "Zoe_Saldana")), ((MegaFacePack) pack).persons());
  }

  /**
   * A .bin is read in image ranges, each image once, in order, with its bytes, across the tasks; an empty
   * one rejected where it is. The pack is LFW's size (12,000 images), written by Python 2's cPickle as
   * every released InsightFace pack is (resources/pickles, make_pickles.py).
   */
  @Test
  public void binPacksAreReadInRangesOfImages() throws Exception {
    Path file = tmp.newFile("py2.bin").toPath();
    Files.write(file, PickleConformanceTest.fixture("py2-cpickle-p2-list-bools"));
    dev.facebeam.codec.pack.BinPack pack = dev.facebeam.codec.pack.BinPack.open(file);
    List<dev.facebeam.codec.pack.BinPack.Range> ranges = new java.util.ArrayList<>();
    for (int from = 0; from < 12_000; from += 1_500) {
      ranges.add(new dev.facebeam.codec.pack.BinPack.Range(file.toString(), from, from + 1_500));
    }
    assertEquals(ranges, pack.tasks());
    dev.facebeam.CollectingSink all = dev.facebeam.CollectingSink.readAll(pack);
    assertEquals(List.of("bin-000000007"), all.rejects.stream().map(r -> r.split(" \\| ")[0]).toList()); // element 7 is empty
    assertEquals(12_000 - 1, all.faces.size());
    int at = 0;
    for (int i = 0; i < 12_000; i++) {
      if (i != 7) {
        dev.facebeam.proto.FaceRecord f = all.faces.get(at++);
        assertEquals(dev.facebeam.codec.pack.RawFaces.id("bin", i), f.getId());
        assertArrayEquals(f.getId(), PickleConformanceTest.element(i), f.getEncoded().getData().toByteArray());
      }
    }
  }

  @Test
  public void autoDetectionRecognisesEachFormat() throws Exception {
    assertEquals("rec", PackOpener.detect(TestData.file("rec/adaface/train.rec")));
    assertEquals("bin", PackOpener.detect(TestData.file("bin/small_lfw.bin")));
    assertEquals("folder", PackOpener.detect(TestData.file("orl")));
    assertEquals("megaface", PackOpener.detect(megaFacePack()));
    Path weird = tmp.newFile("weird.dat").toPath();
    Files.writeString(weird, "hello");
    UserInputException e = assertThrows(UserInputException.class, () -> PackOpener.detect(weird));
    assertThat(e.getMessage(), containsString("--format="));
  }

  @Test
  public void folderPackIgnoresNonImagesWithAWarning() throws Exception {
    Path root = tmp.newFolder("mixed").toPath();
    Files.createDirectories(root.resolve("a"));
    Files.copy(TestData.file("orl/s1/1.pgm"), root.resolve("a/1.pgm"));
    Files.writeString(root.resolve("a/notes.txt"), "x");
    Files.writeString(root.resolve("README"), "x");
    FolderPack pack = FolderPack.open(root);
    assertEquals(1, CollectingSink.readAll(pack).faces.size());
    assertEquals(2, pack.summary().warnings().size());
  }

  @Test
  public void aLinkedIdentityFolderLeadingOutOfThePackIsOneRejectAndIsNeverListed() throws Exception {
    Path outside = tmp.newFolder("private").toPath();
    Files.writeString(outside.resolve("secret.jpg"), "not for the pack");
    Files.writeString(outside.resolve("other.png"), "not for the pack either");
    Path root = tmp.newFolder("faces").toPath();
    Path ok = Files.createDirectories(root.resolve("alice"));
    Files.write(ok.resolve("1.png"), new byte[] {1});
    Files.createSymbolicLink(root.resolve("bob"), outside);
    Files.createSymbolicLink(ok.resolve("2.png"), outside.resolve("secret.jpg"));
    FolderPack pack = FolderPack.open(root);
    CollectingSink read = CollectingSink.readAll(pack);
    // read = written + rejected: alice/1.png read, alice/2.png and the folder bob refused.
    assertEquals(1, read.faces.size());
    assertEquals(2, read.rejects.size());
    assertTrue(read.rejects.toString(), read.rejects.stream().anyMatch(r -> r.contains("bob/ | identity folder")
        && r.contains("outside the pack root")));
    assertTrue(read.rejects.toString(), read.rejects.stream().anyMatch(r -> r.contains("alice/2.png") && r.contains("outside the pack root")));
    assertTrue("files of a linked folder are not listed", read.rejects.stream().noneMatch(r -> r.contains("secret") || r.contains("other.png")));
  }

  /** A FIFO in an identity folder (issue 23) was skipped without a word; opening it would block. */
  @Test(timeout = 20_000)
  public void aFifoInAnIdentityFolderIsARejectNamingIt() throws Exception {
    Path root = tmp.newFolder("fifo-pack").toPath();
    Path a = Files.createDirectories(root.resolve("a"));
    Files.copy(TestData.file("orl/s1/1.pgm"), a.resolve("1.pgm"));
    Process mk = new ProcessBuilder("mkfifo", a.resolve("pipe.jpg").toString(), a.resolve("pipe").toString()).start();
    assertEquals(0, mk.waitFor());
    CollectingSink read = CollectingSink.readAll(FolderPack.open(root));
    assertEquals(1, read.faces.size());
    // Both FIFOs, whatever their names: neither has an image extension to hide behind.
    assertEquals(read.rejects.toString(), 2, read.rejects.size());
    assertTrue(read.rejects.toString(), read.rejects.stream().allMatch(r -> r.endsWith("not a regular file (a FIFO): not read")));
    assertTrue(read.rejects.toString(), read.rejects.stream().anyMatch(r -> r.contains(root + "/a/pipe.jpg")));
  }
}
