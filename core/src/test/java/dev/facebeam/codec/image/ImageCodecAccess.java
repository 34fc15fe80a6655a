package dev.facebeam.codec.image;

/** For tests: the two JPEG paths side by side, the baseline decoder alone (null: it declines) and ImageIO alone. */
public final class ImageCodecAccess {
  private ImageCodecAccess() {}

  public static RgbPixels baseline(byte[] jpeg) {
    return new BaselineJpeg().decode(jpeg, ImageCodec.MAX_SIDE, ImageCodec.MAX_PIXELS);
  }

  public static RgbPixels imageIo(byte[] data) throws ImageDecodeException {
    return ImageCodec.decodeWithImageIo(data, ImageCodec.MAX_SIDE);
  }
}
