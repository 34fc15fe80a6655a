package dev.facebeam.codec;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.facebeam.codec.image.ImageCodec;
import dev.facebeam.codec.image.ImageCodecAccess;
import dev.facebeam.codec.image.ImageDecodeException;
import dev.facebeam.codec.image.RgbPixels;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.Assume;
import org.junit.Before;
import org.junit.Test;

/**
 * The glue's Huffman decoding of a baseline scan ({@code core/src/main/c/facebeam_entropy.c}) against
 * libjpeg-turbo's own, which it replaces: the same pixels on every JPEG libjpeg decodes — the real faces,
 * JPEGs ImageIO writes at every sampling, grey too, the optimised tables OpenCV-Python and Pillow write —
 * and on thousands of damaged copies, never a decode
 * libjpeg refuses; and a bad Huffman code, which libjpeg-turbo's fast path reads as a zero, refused.
 */
public class JpegHuffmanTest {
  @Before
  public void libjpegTurboLoaded() {
    Assume.assumeTrue("libjpeg-turbo: " + ImageCodecAccess.turboUnavailable(), ImageCodecAccess.turboLoaded());
  }

  /** The real faces, and JPEGs ImageIO writes at 4:2:0, 4:2:2, 4:4:4 and grey, many sizes and qualities, no restart markers. */
  private static List<byte[]> jpegs(int written) throws Exception {
    List<byte[]> out = new ArrayList<>(BaselineJpegTest.realJpegs());
    Random r = new Random(27);
    int[][] samplings = {{2, 2}, {2, 1}, {1, 1}, {0, 0}}; // luma factors; {0, 0}: grey
    for (int n = 0; n < written; n++) {
      int[] s = samplings[n % samplings.length];
      float quality = new float[] {0.05f, 0.3f, 0.75f, 0.9f, 0.95f, 1f}[n % 6];
      out.add(BaselineJpegTest.write(BaselineJpegTest.image(1 + r.nextInt(140), 1 + r.nextInt(140), r, s[0] == 0), quality, s[0], s[1], 0));
    }
    return out;
  }

  @Test
  public void everyJpegLibjpegDecodesGivesItsPixels() throws Exception {
    int decoded = 0;
    List<byte[]> all = jpegs(200);
    for (int i = 0; i < all.size(); i++) {
      byte[] jpeg = all.get(i);
      RgbPixels reference = ImageCodecAccess.turboWithLibjpegHuffman(jpeg);
      RgbPixels ours = ImageCodecAccess.turbo(jpeg);
      assertEquals("JPEG " + i + ": decoded by one and not the other", reference != null, ours != null);
      if (ours != null) {
        assertArrayEquals("JPEG " + i, reference.rgb(), ours.rgb());
        decoded++;
      }
    }
    assertTrue(decoded + " of " + all.size(), decoded > all.size() * 9 / 10);
  }

  /** The optimised Huffman tables OpenCV-Python and Pillow write (resources/images/huffman, make_huffman.py). */
  private static final String[] OPTIMIZED = {
      "cv2-face-grey-optimized", "cv2-face-q30-420-optimized", "cv2-face-q30-444-optimized", "cv2-face-q90-420-optimized",
      "cv2-face-q90-444-optimized", "cv2-face-q100-420-optimized", "cv2-face-q100-444-optimized", "cv2-noisy-grey-optimized",
      "cv2-noisy-q30-420-optimized", "cv2-noisy-q30-444-optimized", "cv2-noisy-q90-420-optimized", "cv2-noisy-q90-444-optimized",
      "cv2-noisy-q100-420-optimized", "cv2-noisy-q100-444-optimized", "pil-face-q50-sub2-optimized", "pil-face-q95-sub1-optimized",
      "pil-face-q75-sub0-optimized", "pil-noisy-q50-sub2-optimized", "pil-noisy-q95-sub1-optimized", "pil-noisy-q75-sub0-optimized"};

  @Test
  public void theTablesOpenCvAndPillowOptimiseDecodeToLibjpegsPixels() throws Exception {
    for (String name : OPTIMIZED) {
      byte[] jpeg;
      try (var in = JpegHuffmanTest.class.getResourceAsStream("/images/huffman/" + name + ".jpg")) {
        jpeg = in.readAllBytes();
      }
      RgbPixels reference = ImageCodecAccess.turboWithLibjpegHuffman(jpeg);
      RgbPixels ours = ImageCodecAccess.turbo(jpeg);
      assertTrue(name + ": libjpeg-turbo decodes it", reference != null);
      assertTrue(name + ": the glue's Huffman decoding declined it", ours != null);
      assertArrayEquals(name, reference.rgb(), ours.rgb());
      assertArrayEquals(name + ": ImageIO's pixels", ImageCodecAccess.imageIo(jpeg).rgb(), ours.rgb());
    }
  }

  @Test
  public void aDamagedScanGivesLibjpegsPixelsOrNone() throws Exception {
    List<byte[]> sources = jpegs(24);
    Random r = new Random(Long.getLong("seed", 2027));
    int both = 0;
    int onlyLibjpeg = 0;
    int trials = Integer.getInteger("trials", 4000);
    for (int trial = 0; trial < trials; trial++) {
      byte[] bad = BaselineJpegTest.damage(sources.get(trial % sources.size()), r);
      RgbPixels reference = ImageCodecAccess.turboWithLibjpegHuffman(bad);
      RgbPixels ours = ImageCodecAccess.turbo(bad);
      if (ours != null) {
        assertTrue("trial " + trial + ": decoded what libjpeg refuses (" + BaselineJpegTest.lastDamage + ")", reference != null);
        assertArrayEquals("trial " + trial + ": " + BaselineJpegTest.lastDamage, reference.rgb(), ours.rgb());
        both++;
      } else if (reference != null) {
        onlyLibjpeg++; // libjpeg let it pass; ours found it damaged (the decoders after it decide)
      }
    }
    assertTrue(both + " damaged copies decoded by both", both > trials / 20);
    assertTrue(onlyLibjpeg + " decoded by libjpeg alone, " + both + " by both", onlyLibjpeg < both / 10);
  }

  /**
   * Six 0xFF data bytes (stuffed as FF 00) in the middle of a face's scan: 48 one-bits, where some code
   * must begin with sixteen ones, which no table of these JPEGs assigns. Refused, and the JPEG goes on
   * to the decoders that name the problem.
   */
  @Test
  public void aRunOfOnesInTheScanIsRefusedNotReadAsZeros() throws Exception {
    List<byte[]> faces = BaselineJpegTest.realJpegs();
    for (int i = 0; i < faces.size(); i++) {
      byte[] jpeg = faces.get(i).clone();
      int scan = scanStart(jpeg);
      int middle = scan + (jpeg.length - 2 - scan) / 2;
      for (int k = 0; k < 6; k++) {
        jpeg[middle + 2 * k] = (byte) 0xFF;
        jpeg[middle + 2 * k + 1] = 0;
      }
      assertNull("face " + i + ": decoded with a bad Huffman code", ImageCodecAccess.turbo(jpeg));
      assertNull("face " + i + ": libjpeg's own decoding", ImageCodecAccess.turboWithLibjpegHuffman(jpeg));
      try {
        ImageCodec.decode(jpeg);
        fail("face " + i + ": a bad Huffman code decoded");
      } catch (ImageDecodeException expected) {
        assertTrue(expected.getMessage(), expected.getMessage().contains("Huffman"));
      }
    }
  }

  /** The first byte after the start-of-scan header. */
  private static int scanStart(byte[] jpeg) {
    for (int i = 2; i + 3 < jpeg.length; i++) {
      if (jpeg[i] == (byte) 0xFF && jpeg[i + 1] == (byte) 0xDA) {
        return i + 2 + ((jpeg[i + 2] & 0xFF) << 8 | (jpeg[i + 3] & 0xFF));
      }
    }
    throw new AssertionError("no start of scan");
  }
}
