package dev.facebeam.ijb;

import dev.facebeam.UserInputException;
import dev.facebeam.codec.export.NpyMatrix;
import dev.facebeam.metrics.NumpySums;
import dev.facebeam.metrics.RocCurve;
import java.nio.file.Path;

/**
 * The whole IJB evaluation from image features (docs/ijb.md): faces → x by the mode → template
 * vectors → 1:1 scores, ROC, TAR tables and AUC; and, where the 1:N lists are there, identification.
 */
public final class IjbEvaluation {
  private IjbEvaluation() {}

  /** The FARs of the table papers copy. */
  public static final double[] FARS = {1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1};

  /** {@code facesWithout}: faces of the list that had no features (rejected at ingest) and were left out of their templates. */
  public record Result(IjbTestsuite suite, IjbMode mode, int faces, int facesWithout, int templates, int pairs, long genuine,
      double[] scores, RocCurve roc, OneToN.Result oneToN, OneToN.OpenSet[] openSet) {}

  /** Image features, one row per face of the face list, in its order; null for a face that has none (rejected at ingest). */
  public interface FaceFeatures {
    /** How many rows: every face's (a matrix), or up to the last face that has any (an embed output). */
    int rows();

    /** Whether there is a row for every face of the list, so that the counts must agree. */
    default boolean everyFace() {
      return true;
    }

    /** The face's row, or null; the array may be reused by the next call (callers copy what they keep). */
    float[] row(int face);

    /** The template a row says its face belongs to, or -1 where the rows do not say. */
    default long templateOf(int face) {
      return -1;
    }

    /** Where the rows come from, for messages. */
    String source();
  }

  /** A .npy matrix: [original | mirrored] float32 rows, or already fused ones, read in face order with one buffer. */
  public static FaceFeatures npy(Path file) {
    NpyMatrix m = NpyMatrix.open(file);
    return new FaceFeatures() {
      private NpyMatrix.RowReader reader;
      private int next;
      private final float[] out = new float[m.cols()];

      public int rows() {
        return (int) m.rows();
      }

      public float[] row(int face) {
        if (reader == null || face != next) { // a pass in face order reads on; anything else starts a new pass there
          if (reader != null) {
            reader.close();
          }
          reader = m.rowReader();
          for (next = 0; next < face; next++) {
            reader.next(out);
          }
        }
        reader.next(out);
        next++;
        if (next == m.rows()) {
          reader.close();
          reader = null;
        }
        return out; // one buffer: callers copy what they keep
      }

      public String source() {
        return file.toString();
      }
    };
  }

  /**
   * The evaluation of a testsuite from its faces' features; {@code fused}: the rows are one vector
   * per face already (the F of the mode does not apply), else [original | mirrored].
   */
  public static Result run(IjbTestsuite suite, FaceFeatures features, IjbMode mode, boolean fused) {
    IjbFaces faces = IjbFaces.read(suite.faceScores(), suite.faceTemplates());
    if (features.everyFace() ? features.rows() != faces.size() : features.rows() > faces.size()) {
      throw new UserInputException(features.source(), "has " + features.rows() + " rows but " + suite.faceScores() + " lists "
          + faces.size() + " faces (row i is the face of line i)");
    }
    float[][] x = new float[faces.size()][];
    int missing = 0;
    for (int i = 0; i < x.length; i++) {
      float[] row = features.row(i);
      if (row == null) {
        missing++;
        continue;
      }
      long t = features.templateOf(i);
      if (t >= 0 && t != faces.templates()[i]) {
        throw new UserInputException(features.source(), "face " + i + " belongs to template " + t + " there but to "
            + faces.templates()[i] + " in " + suite.faceTemplates() + ": features of another testsuite?");
      }
      if (!fused && row.length % 2 != 0) {
        throw new UserInputException(features.source(), "has " + row.length + " columns: [original | mirrored] needs an "
            + "even count (pass --fused=true for features already combined)");
      }
      for (float v : row) {
        if (!Float.isFinite(v)) {
          throw new UserInputException(features.source() + "@row=" + i, "holds a value that is not a finite number (" + v + ")");
        }
      }
      x[i] = TemplatePooling.imageFeature(row, faces.faceness()[i], mode, fused);
    }
    TemplatePooling.Sums sums = TemplatePooling.sums(x, faces.templates(), faces.medias());
    TemplatePooling.Templates all = sums.normalized(TemplatePooling.unique(faces.templates()), TemplatePooling.Norm.SKLEARN,
        suite.faceTemplates().toString());
    OneToNInput oneToNInput = suite.hasOneToN() ? OneToNInput.of(suite, sums) : null;
    x = null; // every template is pooled: at IJB-C size the faces' vectors (about 1 GB) can go before the 15.66 M pairs come
    IjbPairs pairs = IjbPairs.read(suite.pairs());
    for (int[] side : new int[][] {pairs.first(), pairs.second()}) {
      for (int t : side) {
        if (all.row(t) < 0) {
          throw new UserInputException(suite.pairs().toString(), "template " + t + " has no face in " + suite.faceTemplates());
        }
      }
    }
    double[] scores = PairScores.of(all, pairs);
    RocCurve roc = RocCurve.of(scores, pairs.label());
    OneToN.Result oneToN = null;
    OneToN.OpenSet[] openSet = null;
    if (oneToNInput != null) {
      OneToNInput in = oneToNInput;
      // NIST's open-set numbers beside: each gallery searched on its own, from the same scores.
      oneToN = OneToN.evaluate(in.probes(), in.probeSubjects(), in.gallery(), in.gallerySubjects(),
          new int[][] {in.g1Columns(), in.g2Columns()}, in.where());
      openSet = oneToN.openSet();
    }
    return new Result(suite, mode, faces.size(), missing, all.ids().length, pairs.size(), pairs.genuine(), scores, roc, oneToN,
        openSet);
  }

  /** The 1:N lists' template vectors: probes and the gallery (G1 then G2), with each gallery's columns in it. */
  private record OneToNInput(double[][] probes, int[] probeSubjects, double[][] gallery, int[] gallerySubjects,
      int[] g1Columns, int[] g2Columns, String where) {
    static OneToNInput of(IjbTestsuite suite, TemplatePooling.Sums sums) {
      Path[] g = suite.galleries();
      IjbCsv g1 = IjbCsv.read(g[0]);
      IjbCsv g2 = IjbCsv.read(g[1]);
      IjbCsv gallery = g1.then(g2);
      IjbCsv probes = IjbCsv.read(suite.probes());
      int[] galleryIds = TemplatePooling.unique(gallery.templates());
      return new OneToNInput(templates(sums, probes, suite.probes()), subjects(probes), templates(sums, gallery, g[0]),
          subjects(gallery), columns(galleryIds, g1), columns(galleryIds, g2), g[0] + " + " + g[1].getFileName());
    }

    /** Where a gallery's templates stand among all gallery templates (ascending ids). */
    private static int[] columns(int[] galleryIds, IjbCsv one) {
      return java.util.Arrays.stream(TemplatePooling.unique(one.templates()))
          .map(id -> java.util.Arrays.binarySearch(galleryIds, id)).toArray();
    }
  }

  /** A 1:N list's templates, normalised as ijb_1n.py does (a pairwise np.sum for the norm). */
  private static double[][] templates(TemplatePooling.Sums sums, IjbCsv csv, Path where) {
    return sums.normalized(TemplatePooling.unique(csv.templates()), TemplatePooling.Norm.NUMPY_SUM, where.toString()).vectors();
  }

  /** The subject of each template (ascending ids): that of its first row, as np.unique's return_index gives it. */
  static int[] subjects(IjbCsv csv) {
    int[] ids = TemplatePooling.unique(csv.templates());
    int[] s = new int[ids.length];
    boolean[] seen = new boolean[ids.length];
    for (int r = 0; r < csv.templates().length; r++) {
      int i = java.util.Arrays.binarySearch(ids, csv.templates()[r]);
      if (!seen[i]) {
        seen[i] = true;
        s[i] = csv.subjects()[r];
      }
    }
    return s;
  }
}
