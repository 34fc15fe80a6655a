package dev.facebeam.codec.image;

import dev.facebeam.models.NativeGlue;

/**
 * libjpeg-turbo — the decoder OpenCV's {@code imdecode} uses, with its SIMD IDCT, upsampling and
 * colour conversion — for the JPEGs {@link BaselineJpeg} decodes, to the same pixels (docs/formats.md,
 * "Images"). libjpeg-turbo computes libjpeg 6b's "islow" IDCT, fancy upsampling and YCbCr tables bit
 * for bit, which is what the JDK's ImageIO runs; the JPEGs where it would not (4:4:0, progressive,
 * ICC or Adobe colour) never come here. A decode with any warning (data cut short, a bad Huffman code,
 * stray bytes) gives null, so the caller's decoders decide and name the problem, as without it. The
 * scan's Huffman codes are read by the glue's own decoder, which gives libjpeg's coefficients and
 * refuses whatever libjpeg-turbo's fast path would let through in silence.
 *
 * <p>The JNI glue ({@code core/src/main/c/facebeam_jpeg.c}) is built with the module on Linux x86-64
 * against the system's {@code libjpeg.so.62} (Debian's libjpeg62-turbo) and travels in the jar; where
 * it is missing or will not load, or {@code -Dfacebeam.jpeg=java} is set, the pure-Java decoder serves.
 */
final class LibjpegTurbo {
  private static final int CLEAN = 0;
  /** Null when loaded; otherwise why not. */
  private static final String UNAVAILABLE = load();

  private LibjpegTurbo() {}

  static boolean available() {
    return UNAVAILABLE == null;
  }

  /** Why the pure-Java decoder serves instead; null when libjpeg-turbo is loaded. */
  static String unavailableBecause() {
    return UNAVAILABLE;
  }

  /** The decoded RGB pixels, or null where libjpeg-turbo complained, failed or found another size. */
  static RgbPixels decode(byte[] jpeg, int width, int height) {
    return decode(jpeg, width, height, true);
  }

  /**
   * {@link #decode} with libjpeg-turbo's own Huffman decoding of the scan instead of the glue's
   * ({@code facebeam_entropy.c}): the reference that decoder is held to, and what it is timed against.
   */
  static RgbPixels decodeWithLibjpegHuffman(byte[] jpeg, int width, int height) {
    return decode(jpeg, width, height, false);
  }

  private static RgbPixels decode(byte[] jpeg, int width, int height, boolean ownHuffman) {
    byte[] rgb = new byte[width * height * 3];
    return decode(jpeg, rgb, width, height, ownHuffman) == CLEAN ? new RgbPixels(width, height, rgb) : null;
  }

  private static native int decode(byte[] jpeg, byte[] rgb, int width, int height, boolean ownHuffman);

  private static native int version();

  private static String load() {
    if ("java".equals(System.getProperty("facebeam.jpeg"))) {
      return "-Dfacebeam.jpeg=java";
    }
    String why = NativeGlue.load(LibjpegTurbo.class, "facebeam_jpeg", "no gcc or libjpeg headers where it was built");
    if (why != null) {
      return why.startsWith("cannot load") ? why + " (is libjpeg62-turbo installed?)" : why;
    }
    return version() == 62 ? null : "built against libjpeg API " + version() + ", not 62";
  }
}
