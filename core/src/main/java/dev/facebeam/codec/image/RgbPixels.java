package dev.facebeam.codec.image;

/** A decoded image: 8-bit RGB, interleaved, row-major. */
public record RgbPixels(int width, int height, byte[] rgb) {
  public RgbPixels {
    if (rgb.length != width * height * 3) {
      throw new IllegalArgumentException("expected " + width * height * 3 + " bytes for " + width + "x" + height + ", got " + rgb.length);
    }
  }

  public int at(int x, int y, int c) {
    return rgb[(y * width + x) * 3 + c] & 0xFF;
  }
}
