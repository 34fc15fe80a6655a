package dev.facebeam.align;

import dev.facebeam.codec.image.RgbPixels;

/**
 * {@code cv2.warpAffine(img, M, (w, h), borderValue=0)} with bilinear interpolation, reproduced in
 * OpenCV's own fixed point (docs/alignment.md): the inverse map is stepped in 1/1024 units, source positions
 * are rounded to 1/32 pixel, and the four 8-bit taps are weighted in 15-bit integers. Taps outside
 * the image read black.
 */
public final class AffineWarp {
  private static final int AB_BITS = 10;
  private static final int AB_SCALE = 1 << AB_BITS;
  private static final int INTER_BITS = 5;
  private static final int INTER_TAB_SIZE = 1 << INTER_BITS;
  private static final int ROUND_DELTA = AB_SCALE / INTER_TAB_SIZE / 2;
  private static final int COEF_BITS = 15;

  private AffineWarp() {}

  /** Warps {@code src} by the forward matrix {@code m = [m0 m1 m2; m3 m4 m5]} into a w×h image. */
  public static RgbPixels warp(RgbPixels src, double[] m, int width, int height) {
    // OpenCV's invertAffineTransform.
    double d = m[0] * m[4] - m[1] * m[3];
    d = d != 0 ? 1.0 / d : 0.0;
    double a11 = m[4] * d;
    double a22 = m[0] * d;
    double a12 = -m[1] * d;
    double a21 = -m[3] * d;
    double b1 = -a11 * m[2] - a12 * m[5];
    double b2 = -a21 * m[2] - a22 * m[5];
    double[] inv = {a11, a12, b1, a21, a22, b2};

    int sw = src.width();
    int sh = src.height();
    byte[] s = src.rgb();
    byte[] out = new byte[width * height * 3];
    int[] adelta = new int[width];
    int[] bdelta = new int[width];
    for (int x = 0; x < width; x++) {
      adelta[x] = (int) Math.rint(inv[0] * x * AB_SCALE);
      bdelta[x] = (int) Math.rint(inv[3] * x * AB_SCALE);
    }
    for (int y = 0; y < height; y++) {
      int x0 = (int) Math.rint((inv[1] * y + inv[2]) * AB_SCALE) + ROUND_DELTA;
      int y0 = (int) Math.rint((inv[4] * y + inv[5]) * AB_SCALE) + ROUND_DELTA;
      for (int x = 0; x < width; x++) {
        int fxp = (x0 + adelta[x]) >> (AB_BITS - INTER_BITS);
        int fyp = (y0 + bdelta[x]) >> (AB_BITS - INTER_BITS);
        int sx = fxp >> INTER_BITS;
        int sy = fyp >> INTER_BITS;
        int ax = fxp & (INTER_TAB_SIZE - 1);
        int ay = fyp & (INTER_TAB_SIZE - 1);
        // Bilinear weights in 1/32 steps are exact in 15 bits: (32-ax)(32-ay)·32 etc. sum to 2^15.
        int w00 = (INTER_TAB_SIZE - ax) * (INTER_TAB_SIZE - ay) * 32;
        int w01 = ax * (INTER_TAB_SIZE - ay) * 32;
        int w10 = (INTER_TAB_SIZE - ax) * ay * 32;
        int w11 = ax * ay * 32;
        int o = (y * width + x) * 3;
        for (int c = 0; c < 3; c++) {
          int v = w00 * tap(s, sw, sh, sx, sy, c)
              + w01 * tap(s, sw, sh, sx + 1, sy, c)
              + w10 * tap(s, sw, sh, sx, sy + 1, c)
              + w11 * tap(s, sw, sh, sx + 1, sy + 1, c);
          out[o + c] = (byte) clamp((v + (1 << (COEF_BITS - 1))) >> COEF_BITS);
        }
      }
    }
    return new RgbPixels(width, height, out);
  }

  private static int tap(byte[] s, int w, int h, int x, int y, int c) {
    if (x < 0 || y < 0 || x >= w || y >= h) {
      return 0;
    }
    return s[(y * w + x) * 3 + c] & 0xFF;
  }

  private static int clamp(int v) {
    return v < 0 ? 0 : Math.min(v, 255);
  }

  /**
   * {@code cv2.resize(img, (w, h))} with INTER_LINEAR: half-pixel centres, edges replicated.
   * Computed in floating point (OpenCV rounds its weights to 11 bits; results can differ by one level).
   */
  public static RgbPixels resize(RgbPixels src, int width, int height) {
    int sw = src.width();
    int sh = src.height();
    byte[] s = src.rgb();
    byte[] out = new byte[width * height * 3];
    double scaleX = (double) sw / width;
    double scaleY = (double) sh / height;
    for (int y = 0; y < height; y++) {
      double fy = (y + 0.5) * scaleY - 0.5;
      int y0 = (int) Math.floor(fy);
      double wy = fy - y0;
      if (y0 < 0) {
        y0 = 0;
        wy = 0;
      }
      if (y0 >= sh - 1) {
        y0 = sh - 1;
        wy = 0;
      }
      int y1 = Math.min(y0 + 1, sh - 1);
      for (int x = 0; x < width; x++) {
        double fx = (x + 0.5) * scaleX - 0.5;
        int x0 = (int) Math.floor(fx);
        double wx = fx - x0;
        if (x0 < 0) {
          x0 = 0;
          wx = 0;
        }
        if (x0 >= sw - 1) {
          x0 = sw - 1;
          wx = 0;
        }
        int x1 = Math.min(x0 + 1, sw - 1);
        int o = (y * width + x) * 3;
        for (int c = 0; c < 3; c++) {
          double v = (1 - wy) * ((1 - wx) * (s[(y0 * sw + x0) * 3 + c] & 0xFF) + wx * (s[(y0 * sw + x1) * 3 + c] & 0xFF))
              + wy * ((1 - wx) * (s[(y1 * sw + x0) * 3 + c] & 0xFF) + wx * (s[(y1 * sw + x1) * 3 + c] & 0xFF));
          out[o + c] = (byte) clamp((int) Math.round(v));
        }
      }
    }
    return new RgbPixels(width, height, out);
  }

  /** The sub-image [x1, x2) × [y1, y2), clipped to the image. */
  public static RgbPixels crop(RgbPixels src, int x1, int y1, int x2, int y2) {
    x1 = Math.max(0, x1);
    y1 = Math.max(0, y1);
    x2 = Math.min(src.width(), x2);
    y2 = Math.min(src.height(), y2);
    if (x2 <= x1 || y2 <= y1) {
      throw new IllegalArgumentException("empty crop [" + x1 + "," + x2 + ")x[" + y1 + "," + y2 + ")");
    }
    int w = x2 - x1;
    int h = y2 - y1;
    byte[] out = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      System.arraycopy(src.rgb(), ((y + y1) * src.width() + x1) * 3, out, y * w * 3, w * 3);
    }
    return new RgbPixels(w, h, out);
  }
}
