package dev.facebeam.codec.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Decodes JPEG, PNG, BMP and PGM to RGB, and encodes RGB to PNG or JPEG. The header's size is
 * checked before any pixel is decoded, so a decompression bomb is a rejected record, not an
 * exhausted heap. Thread-safe: each thread keeps its own baseline JPEG decoder and ImageIO readers.
 */
public final class ImageCodec {
  /** Larger sides are refused before decoding (more than 10,000 × 10,000 is hostile: docs/outputs.md). */
  public static final int MAX_SIDE = 10_000;
  /** Also bounded in area, so two workers decoding at once stay within a modest heap. */
  public static final long MAX_PIXELS = 50_000_000L;

  static {
    ImageIO.setUseCache(false);
  }

  private ImageCodec() {}

  public static RgbPixels decode(byte[] data) throws ImageDecodeException {
    return decode(data, MAX_SIDE);
  }

  public static RgbPixels decode(byte[] data, int maxSide) throws ImageDecodeException {
    return decode(data, maxSide, true);
  }

  private static RgbPixels decode(byte[] data, int maxSide, boolean baseline) throws ImageDecodeException {
    if (data == null || data.length == 0) {
      throw new ImageDecodeException("empty image data");
    }
    ImageFormat format = ImageFormat.sniff(data);
    return switch (format) {
      case PGM -> Pgm.decode(data, maxSide);
      case JPEG -> baseline ? decodeJpeg(data, maxSide) : decodeImageIo(data, format, maxSide);
      case PNG, BMP -> decodeImageIo(data, format, maxSide);
      case UNKNOWN -> throw new ImageDecodeException("unrecognised image format (first bytes " + hex(data) + ")");
    };
  }

  // One baseline decoder per thread: its planes are reused from image to image.
  private static final ThreadLocal<BaselineJpeg> BASELINE = ThreadLocal.withInitial(BaselineJpeg::new);

  /**
   * A whole baseline JPEG of the kinds face packs hold decodes without ImageIO, to the same pixels
   * (BaselineJpegTest): by libjpeg-turbo where it is loaded and decodes without a warning, else by the
   * baseline decoder; every other JPEG, and every one with something to complain about, goes to
   * ImageIO, which decodes it or names the problem.
   */
  private static RgbPixels decodeJpeg(byte[] data, int maxSide) throws ImageDecodeException {
    return decodeJpeg(data, maxSide, LibjpegTurbo.available() ? Turbo.ON : Turbo.OFF);
  }

  /** Whether libjpeg-turbo decodes first, and whose Huffman decoding it runs: the glue's, or (for benchmarks) its own. */
  private enum Turbo {
    ON, LIBJPEG_HUFFMAN, OFF
  }

  private static RgbPixels decodeJpeg(byte[] data, int maxSide, Turbo turbo) throws ImageDecodeException {
    RgbPixels px = decodeBaseline(data, maxSide, turbo);
    return px != null ? px : decodeImageIo(data, ImageFormat.JPEG, maxSide);
  }

  /** The pixels of a JPEG of the baseline decoder's kinds (libjpeg-turbo's first unless {@code turbo} is OFF), or null. */
  private static RgbPixels decodeBaseline(byte[] data, int maxSide, Turbo turbo) {
    BaselineJpeg baseline = BASELINE.get();
    RgbPixels px = null;
    if (turbo != Turbo.OFF) { // a JPEG cut short is libjpeg's warning, so no end-of-image check first
      int[] frame = baseline.frame(data, maxSide, MAX_PIXELS);
      px = frame == null ? null
          : turbo == Turbo.ON ? LibjpegTurbo.decode(data, frame[0], frame[1]) : LibjpegTurbo.decodeWithLibjpegHuffman(data, frame[0], frame[1]);
    }
    if (px == null && hasEoi(data)) {
      px = baseline.decode(data, maxSide, MAX_PIXELS);
    }
    return px == null ? null : ExifOrientation.apply(px, JpegMarkers.scan(data).orientation());
  }

  /** {@link #decode} without libjpeg-turbo: the pure-Java decoder's speed, for benchmarks (the same pixels). */
  public static RgbPixels decodeWithoutLibjpegTurbo(byte[] data) throws ImageDecodeException {
    return data == null || ImageFormat.sniff(data) != ImageFormat.JPEG ? decode(data) : decodeJpeg(data, MAX_SIDE, Turbo.OFF);
  }

  /**
   * {@link #decode} with libjpeg-turbo's own Huffman decoding of the scan in place of the glue's: what that
   * decoder gains, for benchmarks (the same pixels). Without libjpeg-turbo, {@link #decode}.
   */
  public static RgbPixels decodeWithLibjpegHuffman(byte[] data) throws ImageDecodeException {
    return data == null || ImageFormat.sniff(data) != ImageFormat.JPEG || !LibjpegTurbo.available() ? decode(data)
        : decodeJpeg(data, MAX_SIDE, Turbo.LIBJPEG_HUFFMAN);
  }

  /** Which decoder gives a face pack's JPEG its pixels here: libjpeg-turbo, or why the Java decoder does. */
  public static String jpegDecoder() {
    return LibjpegTurbo.available() ? "libjpeg-turbo" : "pure-Java baseline decoder (libjpeg-turbo: " + LibjpegTurbo.unavailableBecause() + ")";
  }

  /**
   * Width and height {@link #decode} would return for this image (its EXIF orientation applied),
   * where it can be proven without computing a pixel that the decode succeeds: a baseline JPEG whose
   * every marker and Huffman code reads as the baseline decoder reads them. Null where only a decode
   * can tell (other formats, other JPEGs, anything damaged) — never a size for an image decode rejects.
   */
  public static int[] verifiedSize(byte[] data) {
    if (data == null || ImageFormat.sniff(data) != ImageFormat.JPEG) {
      return null;
    }
    return verifiedSize(data, JpegMarkers.scan(data));
  }

  /**
   * Whether {@link #decode} is proven, as by {@link #verifiedSize}, to give a {@code width} × {@code height}
   * image; an image whose header names another size is answered from the header alone.
   */
  public static boolean decodesTo(byte[] data, int width, int height) {
    if (data == null || ImageFormat.sniff(data) != ImageFormat.JPEG) {
      return false;
    }
    JpegMarkers m = JpegMarkers.scan(data);
    int[] stored = oriented(m.width(), m.height(), m);
    if (stored[0] != width || stored[1] != height) {
      return false;
    }
    int[] size = verifiedSize(data, m);
    return size != null && size[0] == width && size[1] == height;
  }

  private static int[] verifiedSize(byte[] data, JpegMarkers m) {
    if (!hasEoi(data)) {
      return null;
    }
    int[] size = BASELINE.get().verify(data, MAX_SIDE, MAX_PIXELS);
    return size == null ? null : oriented(size[0], size[1], m);
  }

  /** A stored size as the decode returns it: orientations 5–8 turn the image by 90°. */
  private static int[] oriented(int width, int height, JpegMarkers m) {
    return m.orientation() >= 5 ? new int[] {height, width} : new int[] {width, height};
  }

  /** {@link #decode} with every JPEG left to ImageIO: what the baseline decoder is held equal to. */
  static RgbPixels decodeWithImageIo(byte[] data, int maxSide) throws ImageDecodeException {
    return decode(data, maxSide, false);
  }

  /** Width and height from the header alone. */
  public static int[] size(byte[] data) throws ImageDecodeException {
    ImageFormat format = ImageFormat.sniff(data);
    if (format == ImageFormat.PGM) {
      return Pgm.size(data);
    }
    if (format == ImageFormat.UNKNOWN) {
      throw new ImageDecodeException("unrecognised image format (first bytes " + hex(data) + ")");
    }
    ImageReader reader = reader(format);
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(data))) {
      reader.setInput(in, true, true);
      return new int[] {reader.getWidth(0), reader.getHeight(0)};
    } catch (IOException | RuntimeException e) {
      throw new ImageDecodeException("corrupt " + format.id() + " header: " + message(e), e);
    } finally {
      reader.dispose();
    }
  }

  private static RgbPixels decodeImageIo(byte[] data, ImageFormat format, int maxSide) throws ImageDecodeException {
    ImageReader reader = cachedReader(format);
    boolean reusable = false;
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(data))) {
      reader.setInput(in, true, true);
      int w = reader.getWidth(0);
      int h = reader.getHeight(0);
      if (w <= 0 || h <= 0) {
        throw new ImageDecodeException(format.id() + " header claims an empty image " + w + "x" + h);
      }
      if (w > maxSide || h > maxSide || (long) w * h > MAX_PIXELS) {
        throw new ImageDecodeException(format.id() + " header claims " + w + "x" + h + " pixels, above the " + maxSide + "x" + maxSide
            + " (and " + MAX_PIXELS / 1_000_000 + "-megapixel) limit");
      }
      if (format == ImageFormat.JPEG && !hasEoi(data)) {
        throw new ImageDecodeException("truncated JPEG: no end-of-image marker (FF D9) after the image data");
      }
      JpegMarkers jpeg = format == ImageFormat.JPEG ? JpegMarkers.scan(data) : null;
      if (jpeg != null && jpeg.components() != 1 && jpeg.components() != 3 && jpeg.components() != 4) {
        throw new ImageDecodeException("JPEG with " + jpeg.components() + " colour components (1, 3 or 4 are images)");
      }
      // ImageIO fills the rest of a cut-off image with grey and only warns: a warning is a reject.
      List<String> warnings = new ArrayList<>();
      reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
      RgbPixels px = jpeg != null && jpeg.components() == 4
          ? Cmyk.toRgb(reader.readRaster(0, null), jpeg.adobeTransform() == 2)
          : toRgb(reader.read(0));
      if (!warnings.isEmpty()) {
        throw new ImageDecodeException("corrupt " + format.id() + ": the decoder reports " + String.join("; ", warnings));
      }
      int orientation = jpeg != null ? jpeg.orientation() : format == ImageFormat.PNG ? ExifOrientation.ofPng(data) : 1;
      reusable = true;
      return ExifOrientation.apply(px, orientation);
    } catch (ImageDecodeException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new ImageDecodeException("corrupt " + format.id() + ": " + message(e), e);
    } finally {
      release(format, reader, reusable);
    }
  }

  // A reader per thread and format, reused: looking one up and setting up its native decoder took
  // about a third of a 112×112 JPEG's decode. Only a reader that decoded without any complaint is
  // kept; any other is disposed, so a hostile image never leaves state behind for the next one. A
  // JPEG reader is never kept: libjpeg holds on to the quantization and Huffman tables it read (for
  // abbreviated streams), and a JPEG lacking one would decode with the previous image's. Face packs'
  // JPEGs seldom come here: the baseline decoders take them.
  private static final ThreadLocal<java.util.EnumMap<ImageFormat, ImageReader>> READERS =
      ThreadLocal.withInitial(() -> new java.util.EnumMap<>(ImageFormat.class));

  private static ImageReader cachedReader(ImageFormat format) throws ImageDecodeException {
    ImageReader r = READERS.get().remove(format);
    return r != null ? r : reader(format);
  }

  private static void release(ImageFormat format, ImageReader reader, boolean reusable) {
    if (reusable && format != ImageFormat.JPEG) {
      reader.reset(); // drops the input and the warning listener
      READERS.get().put(format, reader);
    } else {
      reader.dispose();
    }
  }

  /**
   * Whether an end-of-image marker (FF D9) follows the last start-of-scan (FF DA). Neither can occur
   * inside entropy-coded data (an FF there is followed by 00 or a restart marker), so this holds for a
   * whole image whatever a writer appends after it (padding, camera trailers), and fails for one cut
   * off inside its last scan.
   */
  static boolean hasEoi(byte[] data) {
    int sos = -1;
    for (int i = data.length - 2; i >= 2; i--) {
      if (data[i] == (byte) 0xFF && data[i + 1] == (byte) 0xDA) {
        sos = i;
        break;
      }
    }
    for (int i = Math.max(sos, 2); i < data.length - 1; i++) {
      if (data[i] == (byte) 0xFF && data[i + 1] == (byte) 0xD9) {
        return true;
      }
    }
    return false;
  }

  private static ImageReader reader(ImageFormat format) throws ImageDecodeException {
    Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName(format.id());
    if (!it.hasNext()) {
      throw new ImageDecodeException("no decoder for " + format.id());
    }
    return it.next();
  }

  /**
   * Converts any BufferedImage to interleaved RGB as OpenCV's {@code IMREAD_COLOR} does: the
   * decoded samples as they are (no colour management: Java would turn a grey image's linear
   * samples into sRGB, 54 levels too bright at mid-grey), 16-bit samples cut to their high byte,
   * 1–4-bit grey stretched to 0–255, alpha dropped (not blended), grey as three equal channels.
   */
  public static RgbPixels toRgb(BufferedImage img) {
    int w = img.getWidth();
    int h = img.getHeight();
    byte[] rgb = new byte[w * h * 3];
    switch (img.getType()) {
      case BufferedImage.TYPE_3BYTE_BGR -> {
        byte[] bgr = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        if (bgr.length == rgb.length) {
          for (int i = 0; i < rgb.length; i += 3) {
            rgb[i] = bgr[i + 2];
            rgb[i + 1] = bgr[i + 1];
            rgb[i + 2] = bgr[i];
          }
          return new RgbPixels(w, h, rgb);
        }
      }
      case BufferedImage.TYPE_BYTE_GRAY -> {
        byte[] g = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        if (g.length == w * h) {
          for (int i = 0; i < g.length; i++) {
            rgb[3 * i] = g[i];
            rgb[3 * i + 1] = g[i];
            rgb[3 * i + 2] = g[i];
          }
          return new RgbPixels(w, h, rgb);
        }
      }
      default -> { }
    }
    java.awt.image.ColorModel cm = img.getColorModel();
    int colours = cm.getNumColorComponents();
    int space = cm.getColorSpace().getType();
    if (!(cm instanceof java.awt.image.IndexColorModel) && (colours == 1 && space == java.awt.color.ColorSpace.TYPE_GRAY
        || colours == 3 && space == java.awt.color.ColorSpace.TYPE_RGB)) {
      java.awt.image.Raster r = img.getRaster();
      int[] samples = new int[w];
      for (int band = 0; band < 3; band++) {
        int from = colours == 1 ? 0 : band;
        int bits = cm.getComponentSize(from);
        for (int y = 0; y < h; y++) {
          r.getSamples(0, y, w, 1, from, samples);
          for (int x = 0; x < w; x++) {
            int v = samples[x];
            rgb[(y * w + x) * 3 + band] = (byte) (bits == 8 ? v : bits > 8 ? v >>> (bits - 8) : v * 255 / ((1 << bits) - 1));
          }
        }
      }
      return new RgbPixels(w, h, rgb);
    }
    int[] row = new int[w];
    for (int y = 0; y < h; y++) {
      img.getRGB(0, y, w, 1, row, 0, w);
      for (int x = 0; x < w; x++) {
        int p = row[x];
        int o = (y * w + x) * 3;
        rgb[o] = (byte) (p >> 16);
        rgb[o + 1] = (byte) (p >> 8);
        rgb[o + 2] = (byte) p;
      }
    }
    return new RgbPixels(w, h, rgb);
  }

  public static BufferedImage toBufferedImage(RgbPixels px) {
    BufferedImage img = new BufferedImage(px.width(), px.height(), BufferedImage.TYPE_3BYTE_BGR);
    byte[] bgr = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
    byte[] rgb = px.rgb();
    for (int i = 0; i < rgb.length; i += 3) {
      bgr[i] = rgb[i + 2];
      bgr[i + 1] = rgb[i + 1];
      bgr[i + 2] = rgb[i];
    }
    return img;
  }

  public static byte[] encodePng(RgbPixels px) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(toBufferedImage(px), "png", out)) {
        throw new IllegalStateException("no PNG writer");
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toByteArray();
  }

  /** JPEG at the given quality (InsightFace's pack_img uses 95). */
  public static byte[] encodeJpeg(RgbPixels px, int quality) {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
      writer.setOutput(ios);
      ImageWriteParam p = writer.getDefaultWriteParam();
      p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      p.setCompressionQuality(quality / 100f);
      writer.write(null, new IIOImage(toBufferedImage(px), null, null), p);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } finally {
      writer.dispose();
    }
    return out.toByteArray();
  }

  private static String message(Throwable e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private static String hex(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Math.min(4, b.length); i++) {
      sb.append(String.format("%02X ", b[i]));
    }
    return sb.toString().strip();
  }
}
