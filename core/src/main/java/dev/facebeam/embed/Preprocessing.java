package dev.facebeam.embed;

import dev.facebeam.align.AffineWarp;
import dev.facebeam.codec.image.RgbPixels;
import java.io.Serializable;

/**
 * Pixels → the network's input: CHW floats, {@code (pixel − mean) · scale}, RGB or BGR, optionally
 * mirrored left-right (docs/verification.md; InsightFace's graphs do (x − 127.5) / 128 on RGB).
 */
public record Preprocessing(int inputSize, float mean, float scale, boolean bgr) implements Serializable {

  public static final Preprocessing INSIGHTFACE = new Preprocessing(112, 127.5f, 1f / 128f, false);

  /** Floats per image. */
  public int length() {
    return 3 * inputSize * inputSize;
  }

  /** Writes one image into {@code out} at {@code offset}; mirrored reads columns right to left. */
  public void write(RgbPixels px, boolean mirror, float[] out, int offset) {
    RgbPixels img = px.width() == inputSize && px.height() == inputSize ? px : AffineWarp.resize(px, inputSize, inputSize);
    byte[] rgb = img.rgb();
    int n = inputSize;
    int plane = n * n;
    for (int y = 0; y < n; y++) {
      for (int x = 0; x < n; x++) {
        int sx = mirror ? n - 1 - x : x;
        int s = (y * n + sx) * 3;
        int d = offset + y * n + x;
        float r = ((rgb[s] & 0xFF) - mean) * scale;
        float g = ((rgb[s + 1] & 0xFF) - mean) * scale;
        float b = ((rgb[s + 2] & 0xFF) - mean) * scale;
        out[d] = bgr ? b : r;
        out[d + plane] = g;
        out[d + 2 * plane] = bgr ? r : b;
      }
    }
  }

  public String describe() {
    return String.format("(x - %s) * %s, %s, %dx%d", mean, scale, bgr ? "BGR" : "RGB", inputSize, inputSize);
  }
}
