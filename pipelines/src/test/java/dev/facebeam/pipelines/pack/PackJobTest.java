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

/** pack's own outputs, fixture-free: a failed pack leaves nothing that the corrected rerun would refuse. */
public class PackJobTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  private static byte[] jpeg(int seed) {
    byte[] px = new byte[112 * 112 * 3];
    for (int i = 0; i < px.length; i++) {
      px[i] = (byte) (i * seed % 251);
    }
    return ImageCodec.encodeJpeg(new RgbPixels(112, 112, px), 90);
  }

  @Test
  public void aPackThatFailsLeavesNothingItsRerunWouldRefuse() throws Exception {
    Path root = tmp.newFolder("faces").toPath();
    Files.createDirectories(root.resolve("ann"));
    Files.write(root.resolve("ann/1.jpg"), jpeg(3));
    Files.write(root.resolve("ann/2.jpg"), jpeg(5));
    byte[] cut = jpeg(7);
    Files.write(root.resolve("ann/3.jpg"), Arrays.copyOf(cut, cut.length / 2)); // a reject
    Path out = tmp.newFolder("packs").toPath().resolve("ann.bin");
    Path pairs = tmp.getRoot().toPath().resolve("pairs.txt");
    Files.writeString(pairs, "ann/1.jpg ann/9.jpg 1\n"); // a typo: no such image
    PackOptions o = Fixtures.packOptions(root, out);
    o.setPairs(pairs.toString());
    assertThat(assertThrows(UserInputException.class, () -> PackJob.run(o)).getMessage(), containsString("pairs.txt:1"));
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
}
