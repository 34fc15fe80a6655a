package dev.facebeam.codec;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.facebeam.TestData;
import dev.facebeam.codec.image.ImageCodec;
import dev.facebeam.codec.image.ImageDecodeException;
import dev.facebeam.codec.image.RgbPixels;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.junit.Test;

public class ImageCodecTest {

  @Test
  public void orlPgmBecomesThreeEqualChannels() throws Exception {
    byte[] pgm = Files.readAllBytes(TestData.file("orl/s1/1.pgm"));
    RgbPixels px = ImageCodec.decode(pgm);
    assertEquals(92, px.width());
    assertEquals(112, px.height());
    // The P5 header is "P5\n92 112\n255\n"; pixel (0,0) is the first byte after it.
    int headerEnd = pgm.length - 92 * 112;
    assertEquals(pgm[headerEnd] & 0xFF, px.at(0, 0, 0));
    assertEquals(pgm[headerEnd + 92 * 5 + 7] & 0xFF, px.at(7, 5, 1));
    for (int i = 0; i < px.rgb().length; i += 3) {
      assertEquals(px.rgb()[i], px.rgb()[i + 1]);
      assertEquals(px.rgb()[i], px.rgb()[i + 2]);
    }
  }

  @Test
  public void pngRoundTripIsLossless() throws Exception {
    RgbPixels px = ImageCodec.decode(Files.readAllBytes(TestData.file("orl/s2/3.pgm")));
    RgbPixels back = ImageCodec.decode(ImageCodec.encodePng(px));
    assertEquals(px.width(), back.width());
    assertEquals(px.height(), back.height());
    assertTrue(Arrays.equals(px.rgb(), back.rgb()));
  }

  /**
   * libjpeg keeps the tables of the last JPEG a reader decoded (for abbreviated streams), so a JPEG
   * without one of its quantization tables must not borrow it from a JPEG ImageIO decoded before it
   * on the same thread: the same error, whatever came first.
   */
  @Test
  public void aJpegWithoutItsQuantizationTableFailsWhateverWasDecodedBefore() throws Exception {
    byte[] noChromaTable = withoutSecondSegment(BaselineJpegTest.realJpegs().get(0), 0xDB);
    ImageDecodeException alone = assertThrows(ImageDecodeException.class, () -> ImageCodec.decode(noChromaTable));
    assertThat(alone.getMessage(), containsString("table"));
    RgbPixels progressive = ImageCodec.decode(progressiveJpeg()); // decoded by ImageIO, tables 0 and 1 defined
    assertEquals(40, progressive.width());
    ImageDecodeException after = assertThrows(ImageDecodeException.class, () -> ImageCodec.decode(noChromaTable));
    assertEquals(alone.getMessage(), after.getMessage());
  }

  /** The JPEG without the second segment with this marker. */
  private static byte[] withoutSecondSegment(byte[] jpeg, int marker) {
    int seen = 0;
    for (int i = 2; i + 4 <= jpeg.length && (jpeg[i] & 0xFF) == 0xFF; ) {
      int length = 2 + ((jpeg[i + 2] & 0xFF) << 8 | (jpeg[i + 3] & 0xFF));
      if ((jpeg[i + 1] & 0xFF) == marker && ++seen == 2) {
        byte[] out = new byte[jpeg.length - length];
        System.arraycopy(jpeg, 0, out, 0, i);
        System.arraycopy(jpeg, i + length, out, i, jpeg.length - i - length);
        return out;
      }
      i += length;
    }
    throw new AssertionError("no second segment 0x" + Integer.toHexString(marker));
  }

  private static byte[] progressiveJpeg() throws Exception {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    try {
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
        writer.setOutput(out);
        writer.write(null, new IIOImage(BaselineJpegTest.image(40, 30, new Random(5), false), null, null), param);
      }
      return bytes.toByteArray();
    } finally {
      writer.dispose();
    }
  }

  @Test
  public void corruptJpegIsADecodeError() throws Exception {
    byte[] jpeg = RecordIoTest.jpegs().get(0);
    byte[] cut = Arrays.copyOf(jpeg, 200);
    assertThrows(ImageDecodeException.class, () -> ImageCodec.decode(cut));
    byte[] garbage = new byte[500];
    garbage[0] = (byte) 0xFF;
    garbage[1] = (byte) 0xD8;
    garbage[2] = (byte) 0xFF;
    assertThrows(ImageDecodeException.class, () -> ImageCodec.decode(garbage));
    ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> ImageCodec.decode(new byte[] {1, 2, 3, 4}));
    assertThat(e.getMessage(), containsString("unrecognised image format"));
  }

  @Test
  public void halfAJpegIsARejectNotAGreyFace() throws Exception {
    // ImageIO decodes half a JPEG into a picture with a grey lower half and only warns.
    for (byte[] jpeg : List.of(RecordIoTest.jpegs().get(0), syntheticJpeg())) {
      assertEquals(112, ImageCodec.decode(jpeg).width());
      byte[] half = Arrays.copyOf(jpeg, jpeg.length / 2);
      ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> ImageCodec.decode(half));
      assertThat(e.getMessage(), containsString("truncated JPEG"));
      // The scan complete but the end-of-image marker gone: still refused.
      byte[] noEoi = Arrays.copyOf(jpeg, jpeg.length - 2);
      assertThrows(ImageDecodeException.class, () -> ImageCodec.decode(noEoi));
      // Padding or a trailer after the marker, as some writers and cameras leave, is fine.
      byte[] padded = Arrays.copyOf(jpeg, jpeg.length + 5);
      assertEquals(112, ImageCodec.decode(padded).height());
      byte[] trailer = Arrays.copyOf(jpeg, jpeg.length + 500);
      Arrays.fill(trailer, jpeg.length, trailer.length, (byte) 0x5A);
      assertEquals(112, ImageCodec.decode(trailer).height());
    }
  }

  private static byte[] syntheticJpeg() {
    byte[] px = new byte[112 * 112 * 3];
    for (int i = 0; i < px.length; i++) {
      px[i] = (byte) (i * 7 % 251);
    }
    return ImageCodec.encodeJpeg(new RgbPixels(112, 112, px), 90);
  }

  @Test
  public void jpegHeaderClaimingHugeSizeIsRefusedBeforeDecoding() throws Exception {
    byte[] jpeg = RecordIoTest.jpegs().get(0).clone();
    // Find the SOF0/SOF2 marker and set height and width to 60000.
    for (int i = 2; i < jpeg.length - 9; i++) {
      if ((jpeg[i] & 0xFF) == 0xFF && ((jpeg[i + 1] & 0xFF) == 0xC0 || (jpeg[i + 1] & 0xFF) == 0xC2)) {
        jpeg[i + 5] = (byte) (60000 >> 8);
        jpeg[i + 6] = (byte) 60000;
        jpeg[i + 7] = (byte) (60000 >> 8);
        jpeg[i + 8] = (byte) 60000;
        break;
      }
    }
    ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> ImageCodec.decode(jpeg));
    assertThat(e.getMessage(), containsString("60000x60000"));
    assertThat(e.getMessage(), containsString("limit"));
  }

  @Test
  public void pngHeaderClaimingHugeSizeIsRefusedBeforeDecoding() throws Exception {
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
    ByteBuffer ihdr = ByteBuffer.allocate(17);
    ihdr.put("IHDR".getBytes()).putInt(20_001).putInt(20_001).put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
    png.write(new byte[] {0, 0, 0, 13});
    png.write(ihdr.array());
    CRC32 crc = new CRC32();
    crc.update(ihdr.array());
    png.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> ImageCodec.decode(png.toByteArray()));
    assertThat(e.getMessage(), containsString("20001x20001"));
  }

  @Test
  public void pgmHeaderClaimingHugeSizeIsRefused() {
    byte[] pgm = "P5\n20000 20000\n255\n\0\0\0".getBytes();
    ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> ImageCodec.decode(pgm));
    assertThat(e.getMessage(), containsString("20000x20000"));
    byte[] truncated = "P5\n10 10\n255\n\0\0\0".getBytes();
    assertThrows(ImageDecodeException.class, () -> ImageCodec.decode(truncated));
  }

  /**
   * Issue 23: every image mode a pack can hold decodes to what OpenCV's {@code cv2.imread(path,
   * IMREAD_COLOR)} gives, pixel for pixel (images/modes/make_modes.py: files written by Pillow,
   * OpenCV and libjpeg-turbo; expected/ is OpenCV's decode). CMYK and YCCK JPEGs and 16-bit grey
   * PNGs were ~54 levels too bright; EXIF orientation was ignored.
   */
  @Test
  public void everyImageModeDecodesAsOpenCvDecodesIt() throws Exception {
    List<String> names = List.of("cmyk.jpg", "ycck.jpg", "grey16.png", "grey4.png", "grey_alpha.png", "palette.png", "rgba.png",
        "orient-1.jpg", "orient-2.jpg", "orient-3.jpg", "orient-4.jpg", "orient-5.jpg", "orient-6.jpg", "orient-7.jpg",
        "orient-8.jpg", "orient-3.png", "orient-6.png");
    StringBuilder wrong = new StringBuilder();
    for (String name : names) {
      RgbPixels got = ImageCodec.decode(resource("/images/modes/" + name));
      RgbPixels want = ImageCodec.decode(resource("/images/modes/expected/" + name + ".png"));
      if (got.width() != want.width() || got.height() != want.height()) {
        wrong.append(name).append(": ").append(got.width()).append("x").append(got.height()).append(" where OpenCV gives ")
            .append(want.width()).append("x").append(want.height()).append("; ");
        continue;
      }
      int maxDiff = 0;
      long sum = 0;
      long wantSum = 0;
      for (int i = 0; i < got.rgb().length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs((got.rgb()[i] & 0xFF) - (want.rgb()[i] & 0xFF)));
        sum += got.rgb()[i] & 0xFF;
        wantSum += want.rgb()[i] & 0xFF;
      }
      if (maxDiff != 0) {
        wrong.append(String.format("%s: max |diff| %d, mean %.2f where OpenCV gives %.2f; ", name, maxDiff,
            sum / (double) got.rgb().length, wantSum / (double) want.rgb().length));
      }
    }
    assertEquals("", wrong.toString());
  }

  private static byte[] resource(String name) throws Exception {
    try (var in = ImageCodecTest.class.getResourceAsStream(name)) {
      assertTrue(name, in != null);
      return in.readAllBytes();
    }
  }
}
