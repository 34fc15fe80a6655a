package dev.facebeam.codec.export;

import dev.facebeam.UserInputException;
import dev.facebeam.codec.features.UnitVector;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * One MegaFace devkit feature file (docs/formats.md): int32 rows = D, cols = 1, stride = 4, type = 5
 * (CV_32F), then D little-endian float32 — 16 + 4D bytes.
 */
public final class DevkitFeature {
  /** Face embeddings are at most a few thousand wide; a larger header is hostile or corrupt. */
  public static final int MAX_DIMENSION = 1 << 16;
  private static final long MAX_BYTES = 16 + 4L * MAX_DIMENSION;

  private DevkitFeature() {}

  public static byte[] encode(List<Float> vector) {
    ByteBuffer b = ByteBuffer.allocate(16 + 4 * vector.size()).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(vector.size()).putInt(1).putInt(4).putInt(5);
    for (float v : vector) {
      b.putFloat(v);
    }
    return b.array();
  }

  public static float[] decode(byte[] bytes) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (bytes.length < 16) {
      throw new IOException("feature file shorter than its 16-byte header");
    }
    int rows = b.getInt();
    int cols = b.getInt();
    int stride = b.getInt();
    int type = b.getInt();
    if (cols != 1 || stride != 4 || type != 5 || rows < 0 || bytes.length != 16 + 4L * rows) {
      throw new IOException("not a float32 column feature: rows " + rows + ", cols " + cols + ", stride " + stride + ", type " + type);
    }
    float[] v = new float[rows];
    for (int i = 0; i < rows; i++) {
      v[i] = b.getFloat();
    }
    return v;
  }

  /** Reads one feature file as a unit vector; the file and reason in every error. */
  public static float[] readUnit(Path file) {
    float[] v;
    try {
      long size = Files.size(file);
      if (size > MAX_BYTES) {
        throw new IOException(size + " bytes: more than a " + MAX_DIMENSION + "-d feature");
      }
      v = decode(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new UserInputException(file.toString(), "bad devkit feature file: " + e.getMessage(), e);
    }
    UnitVector.normalise(v, 0, v.length, file.toString());
    return v;
  }

  /** The file name gen_megaface.py gives: the image's full file name, then {@code _<algo>.bin}. */
  public static String fileName(String imagePath, String algo) {
    return imagePath + "_" + algo + ".bin";
  }

  public static void write(Path file, List<Float> vector) throws IOException {
    Files.createDirectories(file.getParent());
    dev.facebeam.io.StageFiles.writeAtomically(file, encode(vector));
  }
}
