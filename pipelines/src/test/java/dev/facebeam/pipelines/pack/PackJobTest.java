package dev.facebeam.pipelines.pack;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;

import dev.facebeam.UserInputException;
import dev.facebeam.codec.image.ImageCodec;
import dev.facebeam.codec.image.RgbPixels;
import dev.facebeam.codec.pack.VerificationPack;
import dev.facebeam.pipelines.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * pack's own outputs: a failed pack leaves nothing that the corrected rerun would refuse; a .rec sorted
 * through runs on disk is the same bytes as one sorted in memory, in dir2rec's order, with no run left.
 */
public class PackJobTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  private static byte[] jpeg(int seed) {
    byte[] px = new byte[112 * 112 * 3];
    for (int i = 0; i < px.length; i++) {
      px[i] = (byte) (i * seed % 251);
    }
    return ImageCodec.encodeJpeg(new RgbPixels(112, 112, px), 90);
  }

  /** A folder pack {@code name} with one person, ann, whose faces 1.jpg, 2.jpg, … are JPEGs of these seeds. */
  private Path annFolder(String name, int... seeds) throws Exception {
    Path root = tmp.newFolder(name).toPath();
    Files.createDirectories(root.resolve("ann"));
    for (int k = 0; k < seeds.length; k++) {
      Files.write(root.resolve("ann/" + (k + 1) + ".jpg"), jpeg(seeds[k]));
    }
    return root;
  }

  @Test
  public void aPackThatFailsLeavesNothingItsRerunWouldRefuse() throws Exception {
    Path root = annFolder("faces", 3, 5);
    byte[] cut = jpeg(7);
    Files.write(root.resolve("ann/3.jpg"), Arrays.copyOf(cut, cut.length / 2)); // a reject
    Path out = tmp.newFolder("packs").toPath().resolve("ann.bin");
    Path pairs = tmp.getRoot().toPath().resolve("pairs.txt");
    Files.writeString(pairs, "ann/1.jpg ann/9.jpg 1\n"); // a typo: no such image
    PackOptions o = Fixtures.packOptions(root, out);
    o.setPairs(pairs.toString());
    assertThat(assertThrows(UserInputException.class, () -> PackJob.run(o)).getMessage(), containsString("pairs.txt:1"));
    o.setPairs(pairs + ".typo");
    assertThat(assertThrows(UserInputException.class, () -> PackJob.run(o)).getMessage(), containsString("no such file"));
    o.setPairs(pairs.toString());
    assertFalse(Files.exists(out.resolveSibling("ann.bin.rejects.jsonl")));

    Files.writeString(pairs, "ann/1.jpg ann/2.jpg 1\n");
    PackJob.Result r = PackJob.run(o);
    assertEquals(3, r.read());
    assertEquals(1, r.rejected());
    assertEquals(2, r.imagesWritten());
    assertThat(Files.readString(out.resolveSibling("ann.bin.rejects.jsonl")), containsString("truncated JPEG"));
    assertEquals(1, VerificationPack.read(out).pairs());
    // Its own outputs, rejects included, may be replaced by the same command again.
    assertEquals(2, PackJob.run(o).imagesWritten());
  }

  @Test
  public void aRecSortedThroughRunsOnDiskIsTheSameBytesInDir2recsOrder() throws Exception {
    Path orl = dev.facebeam.TestData.file("orl");
    Path inMemory = tmp.newFolder("memory").toPath().resolve("orl.rec");
    Path onDisk = tmp.newFolder("disk").toPath().resolve("orl.rec");
    PackJob.Result a = PackJob.run(params(orl, inMemory), PackJob.SORT_BUDGET);
    PackJob.Result b = PackJob.run(params(orl, onDisk), 64 << 10); // ORL's 400 faces, about 4 KB each: some 25 runs
    assertEquals(a, b);
    assertEquals(400, b.imagesWritten());
    for (String f : new String[] {"orl.rec", "orl.idx", "property"}) {
      assertEquals(f, Arrays.toString(Files.readAllBytes(inMemory.resolveSibling(f))), Arrays.toString(Files.readAllBytes(onDisk.resolveSibling(f))));
    }
    try (var left = Files.list(onDisk.getParent())) {
      assertEquals("no sort run left", java.util.List.of("orl.idx", "orl.rec", "orl.rec.manifest.json", "property"),
          left.map(x -> x.getFileName().toString()).sorted().toList());
    }
    // dir2rec's layout: images under keys 1..400 with labels 0..39 in order, then the header and identity records.
    dev.facebeam.codec.recordio.RecordIoIndex idx = dev.facebeam.codec.recordio.RecordIoIndex.read(onDisk.resolveSibling("orl.idx"));
    try (dev.facebeam.codec.recordio.RecordIoReader r = new dev.facebeam.codec.recordio.RecordIoReader(onDisk)) {
      float last = 0;
      for (long key = 1; key <= 400; key++) {
        dev.facebeam.codec.recordio.IrHeader.Unpacked u = dev.facebeam.codec.recordio.IrHeader.unpack(r.readAt(idx.offsetOf(key)).payload(), "orl.rec");
        float label = u.header().label();
        assertEquals("key " + key, true, label >= last && label <= last + 1 && label == (key - 1) / 10);
        last = label;
      }
    }
  }

  private static PackParams params(Path input, Path output) {
    PackOptions o = Fixtures.packOptions(input, output);
    o.setFormat("folder");
    return new PackParams(input, output, o.getFormat(), null, o.getProtocol(), PackJob.elements(o.getElements()), o.getHeader(), o.getQuality(), null);
  }

  @Test
  public void anImageInTwoPairsIsWrittenTwiceNotAsAPickleReference() throws Exception {
    Path root = annFolder("two", 3, 5, 11);
    Path out = tmp.newFolder("twice").toPath().resolve("ann.bin");
    Path pairs = tmp.getRoot().toPath().resolve("twice.txt");
    Files.writeString(pairs, "ann/1.jpg ann/2.jpg 1\nann/1.jpg ann/3.jpg 1\n");
    PackOptions o = Fixtures.packOptions(root, out);
    o.setPairs(pairs.toString());
    assertEquals(4, PackJob.run(o).imagesWritten());
    // Python's pickle.dump of a list holding two equal bytes objects writes both (distinct objects): so do we.
    byte[] file = Files.readAllBytes(out);
    byte[] image = VerificationPack.read(out).images().get(0);
    int found = 0;
    for (int i = 0; i + image.length <= file.length; i++) {
      if (Arrays.equals(file, i, i + image.length, image, 0, image.length)) {
        found++;
      }
    }
    assertEquals("ann/1.jpg's bytes in the file", 2, found);
  }
}
