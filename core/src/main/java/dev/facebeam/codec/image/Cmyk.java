package dev.facebeam.codec.image;

import java.awt.image.Raster;

/**
 * Four-component JPEGs (CMYK as Photoshop writes it, or YCCK) to RGB exactly as OpenCV's
 * {@code imread} makes them: libjpeg turns YCCK into Adobe's inverted CMYK with its fixed-point
 * YCbCr tables (jdcolor.c, {@code ycck_cmyk_convert}), then OpenCV's {@code icvCvt_CMYK2BGR_8u_C4C3R}
 * takes each of C, M, Y to {@code k − ((255 − v)·k >> 8)}.
 */
final class Cmyk {
  private static final int SCALEBITS = 16;
  private static final int ONE_HALF = 1 << (SCALEBITS - 1);
  private static final int[] CR_R = new int[256];
  private static final int[] CB_B = new int[256];
  private static final int[] CR_G = new int[256];
  private static final int[] CB_G = new int[256];

  static {
    for (int i = 0; i < 256; i++) {
      int x = i - 128;
      CR_R[i] = (fix(1.40200) * x + ONE_HALF) >> SCALEBITS;
      CB_B[i] = (fix(1.77200) * x + ONE_HALF) >> SCALEBITS;
      CR_G[i] = -fix(0.71414) * x;
      CB_G[i] = -fix(0.34414) * x + ONE_HALF;
    }
  }

  private Cmyk() {}

  private static int fix(double v) {
    return (int) (v * (1L << SCALEBITS) + 0.5);
  }

  private static int clamp(int v) {
    return v < 0 ? 0 : Math.min(v, 255);
  }

  /** {@code raster}: the JPEG's four decoded components, not colour-converted (ImageIO's readRaster). */
  static RgbPixels toRgb(Raster raster, boolean ycck) {
    int w = raster.getWidth();
    int h = raster.getHeight();
    byte[] rgb = new byte[w * h * 3];
    int[] px = new int[4 * w];
    for (int y = 0; y < h; y++) {
      raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, px);
      for (int x = 0; x < w; x++) {
        int c = px[4 * x];
        int m = px[4 * x + 1];
        int ye = px[4 * x + 2];
        int k = px[4 * x + 3];
        if (ycck) {
          int luma = c;
          int cb = m;
          int cr = ye;
          c = clamp(255 - (luma + CR_R[cr]));
          m = clamp(255 - (luma + ((CB_G[cb] + CR_G[cr]) >> SCALEBITS)));
          ye = clamp(255 - (luma + CB_B[cb]));
        }
        int o = (y * w + x) * 3;
        rgb[o] = (byte) (k - (((255 - c) * k) >> 8));
        rgb[o + 1] = (byte) (k - (((255 - m) * k) >> 8));
        rgb[o + 2] = (byte) (k - (((255 - ye) * k) >> 8));
      }
    }
    return new RgbPixels(w, h, rgb);
  }
}
