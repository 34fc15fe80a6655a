package dev.facebeam.codec.image;

/** Netpbm greymaps: binary P5 and plain P2, 8 or 16 bits, turned into RGB (grey in 3 channels). */
final class Pgm {
  private final byte[] b;
  private int pos;

  private Pgm(byte[] b) {
    this.b = b;
    this.pos = 2;
  }

  static int[] size(byte[] data) throws ImageDecodeException {
    Pgm p = new Pgm(data);
    return new int[] {p.number(), p.number()};
  }

  static RgbPixels decode(byte[] data, int maxSide) throws ImageDecodeException {
    Pgm p = new Pgm(data);
    boolean binary = data[1] == '5';
    int w = p.number();
    int h = p.number();
    int max = p.number();
    if (w <= 0 || h <= 0 || max <= 0 || max > 65535) {
      throw new ImageDecodeException("PGM header " + w + "x" + h + " maxval " + max + " is invalid");
    }
    if (w > maxSide || h > maxSide || (long) w * h > ImageCodec.MAX_PIXELS) {
      throw new ImageDecodeException("PGM header claims " + w + "x" + h + " pixels, above the " + maxSide + " limit");
    }
    int n = w * h;
    byte[] rgb = new byte[n * 3];
    if (binary) {
      p.pos++; // exactly one whitespace after maxval
      int bpp = max < 256 ? 1 : 2;
      if ((long) n * bpp > data.length - p.pos) {
        throw new ImageDecodeException("truncated PGM: " + (data.length - p.pos) + " bytes of pixels for " + w + "x" + h);
      }
      for (int i = 0; i < n; i++) {
        int v = bpp == 1 ? data[p.pos + i] & 0xFF : ((data[p.pos + 2 * i] & 0xFF) << 8) | (data[p.pos + 2 * i + 1] & 0xFF);
        byte g = (byte) (max == 255 ? v : Math.round(v * 255.0 / max));
        rgb[3 * i] = g;
        rgb[3 * i + 1] = g;
        rgb[3 * i + 2] = g;
      }
    } else {
      for (int i = 0; i < n; i++) {
        int v = p.number();
        if (v > max) {
          throw new ImageDecodeException("PGM sample " + v + " above maxval " + max);
        }
        byte g = (byte) Math.round(v * 255.0 / max);
        rgb[3 * i] = g;
        rgb[3 * i + 1] = g;
        rgb[3 * i + 2] = g;
      }
    }
    return new RgbPixels(w, h, rgb);
  }

  private int number() throws ImageDecodeException {
    while (pos < b.length) {
      int c = b[pos];
      if (c == '#') {
        while (pos < b.length && b[pos] != '\n') {
          pos++;
        }
      } else if (Character.isWhitespace(c)) {
        pos++;
      } else {
        break;
      }
    }
    long v = 0;
    int start = pos;
    while (pos < b.length && b[pos] >= '0' && b[pos] <= '9') {
      v = v * 10 + (b[pos] - '0');
      if (v > Integer.MAX_VALUE) {
        throw new ImageDecodeException("PGM header number too large");
      }
      pos++;
    }
    if (pos == start) {
      throw new ImageDecodeException("truncated or malformed PGM header");
    }
    return (int) v;
  }
}
