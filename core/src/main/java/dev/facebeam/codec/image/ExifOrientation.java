package dev.facebeam.codec.image;

/**
 * EXIF orientation (tag 0x0112) as {@code cv2.imread} applies it by default (docs/formats.md,
 * "Images"): the pixels are turned so the face stands as the camera saw it. Values 1–8 as in the
 * TIFF/EXIF standard; anything else is 1 (as stored), as OpenCV treats it.
 */
final class ExifOrientation {
  private ExifOrientation() {}

  /** The orientation in a TIFF structure at {@code d[start, end)} (an APP1 body after "Exif\0\0", a PNG eXIf chunk). */
  static int fromTiff(byte[] d, int start, int end) {
    if (end - start < 8) {
      return 1;
    }
    boolean le;
    if (d[start] == 'I' && d[start + 1] == 'I') {
      le = true;
    } else if (d[start] == 'M' && d[start + 1] == 'M') {
      le = false;
    } else {
      return 1;
    }
    if (u16(d, start + 2, le) != 42) {
      return 1;
    }
    long ifd = u32(d, start + 4, le);
    if (ifd < 8 || start + ifd + 2 > end) {
      return 1;
    }
    int at = (int) (start + ifd);
    int entries = u16(d, at, le);
    for (int e = 0; e < entries; e++) {
      int entry = at + 2 + 12 * e;
      if (entry + 12 > end) {
        return 1;
      }
      if (u16(d, entry, le) == 0x0112) {
        int type = u16(d, entry + 2, le);
        int v = type == 3 ? u16(d, entry + 8, le) : type == 4 ? (int) Math.min(u32(d, entry + 8, le), 9) : 1;
        return v >= 1 && v <= 8 ? v : 1;
      }
    }
    return 1;
  }

  private static int u16(byte[] d, int at, boolean le) {
    int a = d[at] & 0xFF;
    int b = d[at + 1] & 0xFF;
    return le ? a | (b << 8) : (a << 8) | b;
  }

  private static long u32(byte[] d, int at, boolean le) {
    long lo = u16(d, le ? at : at + 2, le);
    long hi = u16(d, le ? at + 2 : at, le);
    return (hi << 16) | lo;
  }

  /** The orientation of a PNG's eXIf chunk (before its first IDAT), or 1. */
  static int ofPng(byte[] d) {
    int i = 8;
    while (i + 12 <= d.length) {
      long len = ((d[i] & 0xFFL) << 24) | ((d[i + 1] & 0xFF) << 16) | ((d[i + 2] & 0xFF) << 8) | (d[i + 3] & 0xFF);
      String type = new String(d, i + 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
      if (len > d.length - i - 12L || type.equals("IDAT") || type.equals("IEND")) {
        return 1;
      }
      if (type.equals("eXIf")) {
        return fromTiff(d, i + 8, i + 8 + (int) len);
      }
      i += 12 + (int) len;
    }
    return 1;
  }

  /** The pixels turned as orientation {@code o} says (OpenCV's ExifTransform). */
  static RgbPixels apply(RgbPixels px, int o) {
    if (o <= 1 || o > 8) {
      return px;
    }
    int w = px.width();
    int h = px.height();
    boolean swap = o >= 5;
    int ow = swap ? h : w;
    int oh = swap ? w : h;
    byte[] src = px.rgb();
    byte[] out = new byte[src.length];
    for (int y = 0; y < oh; y++) {
      for (int x = 0; x < ow; x++) {
        // The source pixel (sx, sy) that lands on (x, y).
        int sx;
        int sy;
        switch (o) {
          case 2 -> { sx = w - 1 - x; sy = y; }            // flip left-right
          case 3 -> { sx = w - 1 - x; sy = h - 1 - y; }    // rotate 180
          case 4 -> { sx = x; sy = h - 1 - y; }            // flip top-bottom
          case 5 -> { sx = y; sy = x; }                    // transpose
          case 6 -> { sx = y; sy = h - 1 - x; }            // rotate 90 clockwise
          case 7 -> { sx = w - 1 - y; sy = h - 1 - x; }    // transverse
          default -> { sx = w - 1 - y; sy = x; }           // 8: rotate 90 counter-clockwise
        }
        System.arraycopy(src, (sy * w + sx) * 3, out, (y * ow + x) * 3, 3);
      }
    }
    return new RgbPixels(ow, oh, out);
  }
}
