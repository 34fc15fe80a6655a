package dev.facebeam.ijb;

import dev.facebeam.UserInputException;
import dev.facebeam.metrics.NumpySums;
import java.util.Arrays;

/**
 * Image features to template vectors, with the reference scripts' arithmetic (docs/ijb.md): per
 * face, x in float32 by the mode; per template (ascending ids), its faces grouped by media
 * (ascending ids), a media's frames averaged in float32 (summed in face order, then divided), the
 * media summed in float32; then the template vector in float64, divided by its L2 norm. Faces are
 * grouped by one sort, not one scan of every face per template.
 */
public final class TemplatePooling {
  private TemplatePooling() {}

  /** How the template norm is summed: scikit-learn's {@code normalize} (1:1) or the 1:N script's {@code np.sum}. */
  public enum Norm { SKLEARN, NUMPY_SUM }

  /**
   * Template ids (ascending) and their unit vectors, row i for ids[i]. {@link #row} is asked twice per
   * pair (31 M times at IJB-C's size): ids within [0, 2^24) are looked up in a table, not searched.
   */
  public static final class Templates {
    private static final int TABLE_UP_TO = 1 << 24;
    private final int[] ids;
    private final double[][] vectors;
    private final int[] rowOf;

    public Templates(int[] ids, double[][] vectors) {
      this.ids = ids;
      this.vectors = vectors;
      int max = ids.length == 0 ? -1 : ids[ids.length - 1];
      if (ids.length > 0 && ids[0] >= 0 && max < TABLE_UP_TO) {
        rowOf = new int[max + 1];
        Arrays.fill(rowOf, -1);
        for (int r = 0; r < ids.length; r++) {
          rowOf[ids[r]] = r;
        }
      } else {
        rowOf = null;
      }
    }

    public int[] ids() {
      return ids;
    }

    public double[][] vectors() {
      return vectors;
    }

    /** The row of a template id, or -1. */
    public int row(int id) {
      if (rowOf != null) {
        return id >= 0 && id < rowOf.length ? rowOf[id] : -1;
      }
      int r = Arrays.binarySearch(ids, id);
      return r >= 0 ? r : -1;
    }
  }

  /**
   * x of one face from its feature row: [original | mirrored] (2d values) unless {@code fused}
   * (d values, already combined by the caller); F2 adds the halves, N0 divides by the L2 norm,
   * D1 multiplies by the faceness — each in float32, as NumPy does on float32 arrays.
   */
  public static float[] imageFeature(float[] row, float faceness, IjbMode mode, boolean fused) {
    float[] x;
    if (fused) {
      x = row.clone();
    } else {
      int d = row.length / 2;
      x = Arrays.copyOf(row, d);
      if (mode.flip()) {
        for (int i = 0; i < d; i++) {
          x[i] = row[i] + row[d + i];
        }
      }
    }
    if (!mode.norm()) {
      float[] sq = new float[x.length];
      for (int i = 0; i < x.length; i++) {
        sq[i] = x[i] * x[i];
      }
      float norm = (float) Math.sqrt(NumpySums.pairwise(sq, 0, sq.length)); // sqrtf: the double root rounds to the same float
      for (int i = 0; i < x.length; i++) {
        x[i] = x[i] / norm;
      }
    }
    if (mode.detector()) {
      for (int i = 0; i < x.length; i++) {
        x[i] = x[i] * faceness;
      }
    }
    return x;
  }

  /**
   * The vectors of the templates {@code chosen} (ascending, distinct), from every face whose
   * template is one of them and that has features ({@code x[i]} null: none). A chosen template
   * without such a face is an error naming {@code where}.
   */
  public static Templates pool(float[][] x, int[] templates, int[] medias, int[] chosen, Norm norm, String where) {
    return sums(x, templates, medias).normalized(chosen, norm, where);
  }

  /**
   * Every template's sum of media vectors (float32, held as float64), before its norm: pooled once,
   * so the 1:1 and 1:N lists, normalised their two ways, share one sort and one pass over the faces.
   */
  public record Sums(int[] ids, double[][] sums, boolean someFacesWithout) {
    /** The unit vectors of {@code chosen} (ascending, distinct); one without faces is an error naming {@code where}. */
    public Templates normalized(int[] chosen, Norm norm, String where) {
      double[][] vectors = new double[chosen.length][];
      for (int c = 0; c < chosen.length; c++) {
        int r = Arrays.binarySearch(ids, chosen[c]);
        if (r < 0) {
          throw new UserInputException(where, "template " + chosen[c] + " has no face in the face list"
              + (someFacesWithout ? " with features (faces rejected at ingest have none)" : ""));
        }
        double[] v = sums[r].clone();
        double length = Math.sqrt(norm == Norm.SKLEARN ? NumpySums.einsumSquares(v) : NumpySums.pairwise(squares(v), 0, v.length));
        if (length == 0) {
          length = 1; // scikit-learn leaves a zero vector as it is
        }
        for (int i = 0; i < v.length; i++) {
          v[i] = v[i] / length;
        }
        vectors[c] = v;
      }
      return new Templates(chosen, vectors);
    }
  }

  /** Every template's media sum, from one sort of the faces that have features. */
  public static Sums sums(float[][] x, int[] templates, int[] medias) {
    // Faces without features (rejected at ingest: x is null) are left out of their templates.
    Integer[] order = java.util.stream.IntStream.range(0, templates.length).filter(i -> x[i] != null).boxed().toArray(Integer[]::new);
    int n = order.length;
    // One sort: by template, then media, then face order (the order np.where gives the frames in).
    Arrays.sort(order, (a, b) -> templates[a] != templates[b] ? Integer.compare(templates[a], templates[b])
        : medias[a] != medias[b] ? Integer.compare(medias[a], medias[b]) : Integer.compare(a, b));
    int d = n == 0 ? 0 : x[order[0]].length;
    java.util.List<double[]> sums = new java.util.ArrayList<>();
    int[] ids = new int[n];
    int at = 0;
    while (at < n) {
      int t = templates[order[at]];
      float[] sum = null;
      while (at < n && templates[order[at]] == t) {
        int m = medias[order[at]];
        int first = at;
        float[] media = x[order[at]].clone();
        at++;
        while (at < n && templates[order[at]] == t && medias[order[at]] == m) {
          float[] f = x[order[at]];
          for (int i = 0; i < d; i++) {
            media[i] += f[i];
          }
          at++;
        }
        int count = at - first;
        if (count > 1) {
          for (int i = 0; i < d; i++) {
            media[i] = media[i] / (float) count;
          }
        }
        if (sum == null) {
          sum = media;
        } else {
          for (int i = 0; i < d; i++) {
            sum[i] += media[i];
          }
        }
      }
      double[] v = new double[d];
      for (int i = 0; i < d; i++) {
        v[i] = sum[i];
      }
      ids[sums.size()] = t;
      sums.add(v);
    }
    return new Sums(Arrays.copyOf(ids, sums.size()), sums.toArray(new double[0][]), n < templates.length);
  }

  /** The distinct ids, ascending (np.unique). */
  public static int[] unique(int[] ids) {
    int[] sorted = ids.clone(); // a sort and one pass, not a stream's hash set: IJB-C's lists have 0.5 M rows
    Arrays.parallelSort(sorted);
    int n = 0;
    for (int i = 0; i < sorted.length; i++) {
      if (i == 0 || sorted[i] != sorted[i - 1]) {
        sorted[n++] = sorted[i];
      }
    }
    return Arrays.copyOf(sorted, n);
  }

  private static double[] squares(double[] v) {
    double[] s = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      s[i] = v[i] * v[i];
    }
    return s;
  }
}
