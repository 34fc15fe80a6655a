package dev.facebeam.codec.image;

/** For tests: the JPEG paths side by side — libjpeg-turbo alone, the baseline decoder alone (null: it declines), ImageIO alone. */
public final class ImageCodecAccess {
  private ImageCodecAccess() {}

  public static RgbPixels baseline(byte[] jpeg) {
    return new BaselineJpeg().decode(jpeg, ImageCodec.MAX_SIDE, ImageCodec.MAX_PIXELS);
  }

  /** libjpeg-turbo alone for a JPEG of the baseline decoder's kinds (null: not such a JPEG, or it warned). */
  public static RgbPixels turbo(byte[] jpeg) {
    int[] frame = new BaselineJpeg().frame(jpeg, ImageCodec.MAX_SIDE, ImageCodec.MAX_PIXELS);
    return frame == null ? null : LibjpegTurbo.decode(jpeg, frame[0], frame[1]);
  }

  /** {@link #turbo} with libjpeg-turbo's own Huffman decoding instead of the glue's. */
  public static RgbPixels turboWithLibjpegHuffman(byte[] jpeg) {
    int[] frame = new BaselineJpeg().frame(jpeg, ImageCodec.MAX_SIDE, ImageCodec.MAX_PIXELS);
    return frame == null ? null : LibjpegTurbo.decodeWithLibjpegHuffman(jpeg, frame[0], frame[1]);
  }

  public static boolean turboLoaded() {
    return LibjpegTurbo.available();
  }

  public static String turboUnavailable() {
    return LibjpegTurbo.unavailableBecause();
  }

  public static RgbPixels imageIo(byte[] data) throws ImageDecodeException {
    return ImageCodec.decodeWithImageIo(data, ImageCodec.MAX_SIDE);
  }
}
