package dev.facebeam.ijb;

import dev.facebeam.UserInputException;
import dev.facebeam.io.TextFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The faces of a testsuite, in the order of {@code <t>_name_5pts_score.txt}: image, five
 * landmarks, faceness, and (from {@code <t>_face_tid_mid.txt}, the same order) template and media.
 */
public record IjbFaces(String[] images, float[][] landmarks, float[] faceness, int[] templates, int[] medias) {

  public int size() {
    return images.length;
  }

  /** Reads both lists; a line of the wrong shape, a faceness outside (0, 1] or lists that disagree is an error naming file and line. */
  public static IjbFaces read(Path scores, Path tidMid) {
    List<String> s = lines(scores);
    List<String> t = lines(tidMid);
    if (s.size() != t.size()) {
      throw new UserInputException(tidMid.toString(), "has " + t.size() + " lines but " + scores.getFileName() + " has "
          + s.size() + " (one line per face, in the same order)");
    }
    int n = s.size();
    String[] images = new String[n];
    float[][] landmarks = new float[n][];
    float[] faceness = new float[n];
    int[] templates = new int[n];
    int[] medias = new int[n];
    for (int i = 0; i < n; i++) {
      String where = scores + ":" + (i + 1);
      String[] f = s.get(i).strip().split(" +");
      if (f.length != 12) {
        throw new UserInputException(where, "expected '<image> x1 y1 … x5 y5 <faceness>' (12 fields), got " + f.length
            + " (" + (f.length - 2) + " landmark numbers, not 10)");
      }
      images[i] = f[0];
      landmarks[i] = new float[10];
      for (int k = 0; k < 10; k++) {
        landmarks[i][k] = (float) number(f[k + 1], where);
      }
      // As the scripts read it: the text to a double, then to float32 (numpy's astype).
      double score = number(f[11], where);
      if (!(score > 0 && score <= 1)) {
        throw new UserInputException(where, "faceness " + f[11] + " is outside (0, 1]");
      }
      faceness[i] = (float) score;
      String tw = tidMid + ":" + (i + 1);
      String[] g = t.get(i).strip().split(" +");
      if (g.length != 3) {
        throw new UserInputException(tw, "expected '<image> <template id> <media id>', got '" + t.get(i) + "'");
      }
      if (!g[0].equals(f[0])) {
        throw new UserInputException(tw, "names " + g[0] + " where " + scores.getFileName() + " line " + (i + 1)
            + " names " + f[0] + " (the two lists must list the faces in the same order)");
      }
      templates[i] = integer(g[1], tw);
      medias[i] = integer(g[2], tw);
    }
    return new IjbFaces(images, landmarks, faceness, templates, medias);
  }

  static List<String> lines(Path file) {
    try {
      List<String> all = TextFiles.readLines(file);
      int n = all.size();
      while (n > 0 && all.get(n - 1).isBlank()) {
        n--;
      }
      return all.subList(0, n);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new UserInputException(file.toString(), "no such file");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  static double number(String s, String where) {
    try {
      double v = Double.parseDouble(s);
      if (Double.isFinite(v)) {
        return v;
      }
    } catch (NumberFormatException e) {
      // said below
    }
    throw new UserInputException(where, "'" + s + "' is not a number");
  }

  static int integer(String s, String where) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      throw new UserInputException(where, "'" + s + "' is not an integer id");
    }
  }
}
