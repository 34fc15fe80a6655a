package dev.facebeam.codec;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.facebeam.TestData;
import dev.facebeam.codec.image.ImageCodec;
import dev.facebeam.codec.image.ImageCodecAccess;
import dev.facebeam.codec.image.ImageDecodeException;
import dev.facebeam.codec.image.RgbPixels;
import dev.facebeam.codec.pack.VerificationPack;
import dev.facebeam.codec.recordio.IrHeader;
import dev.facebeam.codec.recordio.RecordIoDataset;
import dev.facebeam.codec.recordio.RecordIoIndex;
import dev.facebeam.codec.recordio.RecordIoReader;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.junit.Test;
import org.w3c.dom.Node;

/**
 * The baseline JPEG decoder gives the JDK ImageIO's pixels bit for bit, or leaves the image to
 * ImageIO: on every real face JPEG of the fixtures, on JPEGs ImageIO writes at many sizes,
 * qualities, samplings and restart intervals, and on thousands of damaged copies (the same pixels
 * or the same error as ImageIO alone, whatever the damage). A size it proves without computing
 * pixels (ImageCodec.verifiedSize) is given only for an image that decodes to that size.
 */
public class BaselineJpegTest {
  private static final int MAX = ImageCodec.MAX_SIDE;

  /** The JPEG faces of the real fixture packs (two .rec files and a .bin). */
  public static List<byte[]> realJpegs() throws Exception {
    List<byte[]> out = new ArrayList<>();
    for (String r : List.of("rec/adaface/train.rec", "rec/small_lfw/small_lfw_labelled.rec")) {
      Path rec = TestData.file(r);
      RecordIoIndex idx = RecordIoIndex.read(RecordIoDataset.siblingIdx(rec));
      try (RecordIoReader reader = new RecordIoReader(rec)) {
        for (int i = 0; i < idx.size(); i++) {
          IrHeader.Unpacked u = IrHeader.unpack(reader.readAt(idx.offset(i)).payload(), r);
          if (u.payloadLength() > 0) {
            out.add(u.payload());
          }
        }
      }
    }
    out.addAll(VerificationPack.read(TestData.file("bin/small_lfw.bin")).images());
    return out;
  }

  @Test
  public void everyRealFaceJpegDecodesToImageIosPixelsWithoutImageIo() throws Exception {
    List<byte[]> real = realJpegs();
    assertTrue(real.size() >= 40);
    for (byte[] jpeg : real) {
      RgbPixels fast = ImageCodecAccess.baseline(jpeg);
      assertTrue("the baseline path declined a real face JPEG", fast != null);
      RgbPixels io = ImageCodecAccess.imageIo(jpeg);
      assertEquals(io.width(), fast.width());
      assertArrayEquals(io.rgb(), fast.rgb());
      assertArrayEquals("the size proven without pixels", new int[] {io.width(), io.height()}, ImageCodec.verifiedSize(jpeg));
      if (ImageCodecAccess.turboLoaded()) {
        RgbPixels turbo = ImageCodecAccess.turbo(jpeg);
        assertTrue("libjpeg-turbo declined a real face JPEG", turbo != null);
        assertArrayEquals(io.rgb(), turbo.rgb());
      }
    }
  }

  /**
   * Where the build could compile the JNI glue (Linux x86-64, gcc, libjpeg62-turbo-dev: .ci/run installs
   * them) libjpeg-turbo decodes; a machine without it skips the tests of it, saying why.
   */
  @Test
  public void libjpegTurboIsLoaded() {
    org.junit.Assume.assumeTrue("libjpeg-turbo: " + ImageCodecAccess.turboUnavailable(), ImageCodecAccess.turboLoaded());
    assertTrue(ImageCodec.jpegDecoder(), ImageCodec.jpegDecoder().equals("libjpeg-turbo"));
  }

  @Test
  public void jpegsImageIoWritesDecodeToItsPixelsAtEverySizeQualitySamplingAndRestartInterval() throws Exception {
    Random r = new Random(26);
    int fast = 0;
    int cases = 0;
    int[][] samplings = {{2, 2}, {2, 1}, {1, 1}, {0, 0}}; // luma factors; {0, 0}: grey
    for (int n = 0; n < 240; n++) {
      int w = n < 40 ? 1 + n : 1 + r.nextInt(150);
      int h = n < 40 ? 1 + r.nextInt(40) : 1 + r.nextInt(150);
      int[] s = samplings[n % samplings.length];
      float quality = new float[] {0.05f, 0.3f, 0.5f, 0.75f, 0.9f, 1f}[n % 6];
      int restart = n % 5 == 0 ? 1 + r.nextInt(5) : 0;
      byte[] jpeg = write(image(w, h, r, s[0] == 0), quality, s[0], s[1], restart);
      RgbPixels io = ImageCodecAccess.imageIo(jpeg);
      RgbPixels baseline = ImageCodecAccess.baseline(jpeg);
      RgbPixels turbo = ImageCodecAccess.turbo(jpeg);
      if (ImageCodecAccess.turboLoaded()) {
        assertEquals("libjpeg-turbo decodes what the baseline decoder decodes", baseline != null, turbo != null);
        if (turbo != null) {
          assertArrayEquals(w + "x" + h + " sampling " + s[0] + "x" + s[1] + " q" + quality + " dri " + restart + " (libjpeg-turbo)", io.rgb(),
              turbo.rgb());
        }
      }
      cases++;
      int[] verified = ImageCodec.verifiedSize(jpeg);
      if (verified != null) {
        assertArrayEquals(new int[] {w, h}, verified);
      }
      assertEquals(verified != null, ImageCodec.decodesTo(jpeg, w, h));
      assertTrue("another size is never proven", !ImageCodec.decodesTo(jpeg, w + 1, h) && !ImageCodec.decodesTo(jpeg, w, h + 1));
      if (baseline != null) {
        assertTrue("decoded but not verified: " + w + "x" + h, verified != null);
        fast++;
        assertArrayEquals(w + "x" + h + " sampling " + s[0] + "x" + s[1] + " q" + quality + " dri " + restart, io.rgb(), baseline.rgb());
      } else {
        int chromaWidth = s[0] == 2 ? (w + 1) / 2 : w;
        assertTrue("declined " + w + "x" + h + " sampling " + s[0] + "x" + s[1], s[0] == 2 && chromaWidth <= 2);
      }
    }
    assertTrue(fast + " of " + cases, fast > cases * 9 / 10);
  }

  @Test
  public void damagedJpegsGiveImageIosPixelsOrImageIosError() throws Exception {
    List<byte[]> sources = new ArrayList<>(realJpegs().subList(0, 12));
    Random r = new Random(Long.getLong("seed", 2026));
    sources.add(write(image(37, 29, r, false), 0.8f, 2, 2, 2)); // with restart markers
    int differentFromSource = 0;
    int verifiedDamaged = 0;
    int turboDecoded = 0;
    for (int trial = 0; trial < Integer.getInteger("trials", 3000); trial++) {
      byte[] src = sources.get(trial % sources.size());
      byte[] bad = damage(src, r);
      String io;
      try {
        io = digest(ImageCodecAccess.imageIo(bad));
      } catch (ImageDecodeException e) {
        io = "error: " + e.getMessage();
      }
      String ours;
      try {
        ours = digest(ImageCodec.decode(bad));
      } catch (ImageDecodeException e) {
        ours = "error: " + e.getMessage();
      }
      assertEquals("trial " + trial + ": " + lastDamage, io, ours);
      // Each fast decoder alone: ImageIO's pixels whenever it gives any (else the next decoder decides).
      RgbPixels baseline = ImageCodecAccess.baseline(bad);
      if (baseline != null) {
        assertEquals("trial " + trial + " baseline: " + lastDamage, io, digest(baseline));
      }
      RgbPixels turbo = ImageCodecAccess.turbo(bad);
      if (turbo != null) {
        assertEquals("trial " + trial + " libjpeg-turbo: " + lastDamage, io, digest(turbo));
        turboDecoded++;
      }
      int[] verified = ImageCodec.verifiedSize(bad);
      if (verified != null) {
        // A size proven without pixels is only ever given for an image that decodes, at that size.
        assertEquals("trial " + trial + " verified: " + lastDamage, io.substring(0, io.indexOf(' ')), verified[0] + "x" + verified[1]);
        verifiedDamaged++;
      }
      if (!io.equals(digest(ImageCodecAccess.imageIo(src)))) {
        differentFromSource++;
      }
    }
    assertTrue(differentFromSource + " damaged copies changed the outcome", differentFromSource > 1000);
    assertTrue(verifiedDamaged + " damaged copies verified (some damage leaves a decodable image)", verifiedDamaged > 100);
    assertTrue(turboDecoded + " damaged copies decoded by libjpeg-turbo", !ImageCodecAccess.turboLoaded() || turboDecoded > 100);
  }

  static String lastDamage;

  static byte[] damage(byte[] src, Random r) {
    byte[] b = src.clone();
    int kind = r.nextInt(5);
    lastDamage = "kind " + kind + " of a " + src.length + "-byte JPEG";
    switch (kind) {
      case 0 -> { // one byte anywhere
        int at = 2 + r.nextInt(b.length - 2);
        b[at] = (byte) r.nextInt(256);
        lastDamage += ": byte " + at + " " + (src[at] & 0xFF) + " -> " + (b[at] & 0xFF);
      }
      case 1 -> { // a few bytes in the entropy-coded data (after the headers)
        int from = Math.max(2, b.length / 3);
        for (int k = 0; k < 1 + r.nextInt(4); k++) {
          b[from + r.nextInt(b.length - from - 2)] ^= (byte) (1 << r.nextInt(8));
        }
      }
      case 2 -> { // cut, with the end-of-image marker put back
        int keep = 4 + r.nextInt(b.length - 6);
        lastDamage += ": cut at " + keep;
        b = java.util.Arrays.copyOf(b, keep + 2);
        b[keep] = (byte) 0xFF;
        b[keep + 1] = (byte) 0xD9;
      }
      case 3 -> { // a byte inserted
        int at = 2 + r.nextInt(b.length - 2);
        lastDamage += ": inserted at " + at;
        byte[] c = new byte[b.length + 1];
        System.arraycopy(b, 0, c, 0, at);
        c[at] = (byte) r.nextInt(256);
        System.arraycopy(b, at, c, at + 1, b.length - at);
        b = c;
      }
      default -> { // a marker's byte changed in the headers
        int at = 2 + r.nextInt(Math.min(600, b.length - 2));
        b[at] = (byte) (r.nextBoolean() ? 0xFF : r.nextInt(256));
        lastDamage += ": header byte " + at + " " + (src[at] & 0xFF) + " -> " + (b[at] & 0xFF);
      }
    }
    return b;
  }

  private static String digest(RgbPixels p) {
    return p.width() + "x" + p.height() + " " + java.util.Arrays.hashCode(p.rgb());
  }

  /** A face-like test image: smooth gradients, edges and noise (grey: one channel repeated). */
  static BufferedImage image(int w, int h, Random r, boolean grey) {
    BufferedImage img = new BufferedImage(w, h, grey ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_3BYTE_BGR);
    int fx = 1 + r.nextInt(7);
    int fy = 1 + r.nextInt(7);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int red = (int) (128 + 100 * Math.sin(x * fx / 10.0) * Math.cos(y * fy / 13.0)) + r.nextInt(30) - 15;
        int green = (x * 255 / Math.max(1, w - 1) + (y > h / 2 ? 60 : 0)) & 0xFF;
        int blue = ((x / 4 + y / 4) % 2 == 0 ? 220 : 30) + r.nextInt(20) - 10;
        int rgb = (clamp(red) << 16) | (clamp(green) << 8) | clamp(blue);
        img.setRGB(x, y, rgb);
      }
    }
    return img;
  }

  private static int clamp(int v) {
    return Math.max(0, Math.min(255, v));
  }

  /** ImageIO's JPEG writer with the luma sampling factors and a restart interval (0: none) set in its metadata. */
  static byte[] write(BufferedImage img, float quality, int hLuma, int vLuma, int restartInterval) throws Exception {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    try {
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionQuality(quality);
      IIOMetadata meta = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(img), param);
      String format = "javax_imageio_jpeg_image_1.0";
      Node root = meta.getAsTree(format);
      IIOMetadataNode markers = (IIOMetadataNode) ((IIOMetadataNode) root).getElementsByTagName("markerSequence").item(0);
      if (hLuma > 0) {
        IIOMetadataNode luma = (IIOMetadataNode) markers.getElementsByTagName("componentSpec").item(0);
        luma.setAttribute("HsamplingFactor", Integer.toString(hLuma));
        luma.setAttribute("VsamplingFactor", Integer.toString(vLuma));
      }
      if (restartInterval > 0) {
        IIOMetadataNode dri = new IIOMetadataNode("dri");
        dri.setAttribute("interval", Integer.toString(restartInterval));
        markers.insertBefore(dri, markers.getFirstChild());
      }
      meta.setFromTree(format, root);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
        writer.setOutput(out);
        writer.write(null, new IIOImage(img, null, meta), param);
      }
      return bytes.toByteArray();
    } finally {
      writer.dispose();
    }
  }
}
