package dev.facebeam.ijb;

import dev.facebeam.UserInputException;
import dev.facebeam.metrics.NumpySums;
import java.util.Arrays;

/**
 * 1:N identification as {@code ijb_1n.py} computes it (docs/ijb.md): each probe template scored
 * against every gallery template; top-k = share of probes whose own gallery template is among
 * the k highest; TPIR at FPIR f = share of probes whose own score is strictly above the
 * ceil(q·f)-th highest of all probe-to-other-gallery scores.
 */
public final class OneToN {
  private OneToN() {}

  /**
   * {@code ranks}: each probe's mate's rank among the gallery (0 = first), for the CMC curve;
   * {@code openSet}: one per gallery asked for.
   */
  public record Result(int probes, int gallery, double top1, double top5, double top10, double[] fpir, double[] tpir,
      double[] thresholds, int[] ranks, OpenSet[] openSet) {
    /** The share of probes whose mate ranks within the first k, for k = 1 … {@code upTo}. */
    public double[] cmc(int upTo) {
      double[] c = new double[upTo];
      for (int r : ranks) {
        for (int k = r; k < upTo; k++) {
          c[k]++;
        }
      }
      for (int k = 0; k < upTo; k++) {
        c[k] /= ranks.length;
      }
      return c;
    }
  }

  /** NIST-style open-set numbers against one gallery: mated probes (subject in it) and non-mated ones (not). */
  public record OpenSet(int mated, int nonMated, double[] fpir, double[] tpir, double[] thresholds) {}

  public static final double[] FPIR = {0.01, 0.1};

  /**
   * @param probeSubjects subject of each probe row; {@code gallerySubjects} likewise: every probe
   *     subject must have exactly one gallery template (the script's RegIdsError otherwise)
   */
  public static Result evaluate(double[][] probes, int[] probeSubjects, double[][] gallery, int[] gallerySubjects,
      String where) {
    return evaluate(probes, probeSubjects, gallery, gallerySubjects, new int[0][], where);
  }

  /**
   * The same, and the open-set numbers of each gallery in {@code openSetGalleries} (its columns of
   * {@code gallery}), from the same scores: every probe-to-gallery score is computed once.
   */
  public static Result evaluate(double[][] probes, int[] probeSubjects, double[][] gallery, int[] gallerySubjects,
      int[][] openSetGalleries, String where) {
    OpenSetTally[] tallies = new OpenSetTally[openSetGalleries.length];
    for (int s = 0; s < tallies.length; s++) {
      tallies[s] = new OpenSetTally(openSetGalleries[s], gallerySubjects);
    }
    int q = probes.length;
    int g = gallery.length;
    int[] mate = new int[q];
    for (int i = 0; i < q; i++) {
      int found = -1;
      int count = 0;
      for (int j = 0; j < g; j++) {
        if (gallerySubjects[j] == probeSubjects[i]) {
          found = j;
          count++;
        }
      }
      if (count != 1) {
        throw new UserInputException(where, "probe subject " + probeSubjects[i] + " has " + count
            + " gallery templates; 1:N needs exactly one");
      }
      mate[i] = found;
    }
    int[] hits = new int[3];
    int[] ks = {1, 5, 10};
    double[] own = new double[q];
    int[] need = new int[FPIR.length];
    int most = 0;
    for (int f = 0; f < FPIR.length; f++) {
      need[f] = (int) Math.ceil(q * FPIR[f]);
      most = Math.max(most, need[f]);
    }
    // The highest non-mated scores: a bounded min-heap would do; a sorted buffer of `most` is plain.
    double[] top = new double[Math.max(most, 1)];
    int topSize = 0;
    int[] ranks = new int[q];
    double[] row = new double[g];
    for (int i = 0; i < q; i++) {
      for (int j = 0; j < g; j++) {
        row[j] = NumpySums.dot(probes[i], gallery[j]);
      }
      own[i] = row[mate[i]];
      for (OpenSetTally tally : tallies) {
        tally.add(row, probeSubjects[i]);
      }
      int above = 0; // gallery templates ranked before the mate: higher score, or equal and earlier
      for (int j = 0; j < g; j++) {
        if (j != mate[i] && (row[j] > own[i] || (row[j] == own[i] && j < mate[i]))) {
          above++;
        }
      }
      ranks[i] = above;
      for (int k = 0; k < ks.length; k++) {
        if (above < ks[k]) {
          hits[k]++;
        }
      }
      for (int j = 0; j < g; j++) {
        if (j == mate[i]) {
          continue;
        }
        double s = row[j];
        if (topSize < most) {
          top[topSize++] = s;
          if (topSize == most) {
            Arrays.sort(top, 0, topSize);
          }
        } else if (most > 0 && s > top[0]) {
          // replace the smallest, keep ascending order
          int p = Arrays.binarySearch(top, 0, most, s);
          int at = p >= 0 ? p : -p - 1;
          System.arraycopy(top, 1, top, 0, at - 1);
          top[at - 1] = s;
        }
      }
    }
    if (topSize < most) {
      Arrays.sort(top, 0, topSize);
    }
    double[] tpir = new double[FPIR.length];
    double[] thresholds = new double[FPIR.length];
    for (int f = 0; f < FPIR.length; f++) {
      // the need[f]-th highest non-mated score
      double th = topSize >= need[f] && need[f] > 0 ? top[topSize - need[f]] : Double.NaN;
      int pass = 0;
      for (double s : own) {
        if (s > th) {
          pass++;
        }
      }
      tpir[f] = (double) pass / q;
      thresholds[f] = th;
    }
    OpenSet[] open = new OpenSet[tallies.length];
    for (int s = 0; s < open.length; s++) {
      open[s] = tallies[s].result();
    }
    return new Result(q, g, (double) hits[0] / q, (double) hits[1] / q, (double) hits[2] / q, FPIR.clone(), tpir, thresholds,
        ranks, open);
  }

  /**
   * Open-set identification against one gallery (docs/ijb.md): every probe is searched in it; a
   * probe whose subject has a template there is mated, any other non-mated. At FPIR f the threshold
   * t is the (floor(f·n)+1)-th highest of the non-mated probes' best scores (n of them), so that at
   * most f·n of them score above it; TPIR = share of mated probes whose mate ranks first with a
   * score above t.
   */
  public static OpenSet openSet(double[][] probes, int[] probeSubjects, double[][] gallery, int[] gallerySubjects) {
    OpenSetTally tally = new OpenSetTally(java.util.stream.IntStream.range(0, gallery.length).toArray(), gallerySubjects);
    double[] row = new double[gallery.length];
    for (int i = 0; i < probes.length; i++) {
      for (int j = 0; j < gallery.length; j++) {
        row[j] = NumpySums.dot(probes[i], gallery[j]);
      }
      tally.add(row, probeSubjects[i]);
    }
    return tally.result();
  }

  /** One gallery's open-set counts, fed one probe's scores against every gallery template at a time. */
  private static final class OpenSetTally {
    private final int[] columns;
    private final java.util.Map<Integer, Integer> mateOf = new java.util.HashMap<>();
    private final java.util.List<Double> nonMatedBest = new java.util.ArrayList<>();
    private final java.util.List<Double> matedFirst = new java.util.ArrayList<>(); // the mate's score where it ranks first, else -inf

    OpenSetTally(int[] columns, int[] gallerySubjects) {
      this.columns = columns;
      for (int c : columns) {
        mateOf.put(gallerySubjects[c], c);
      }
    }

    void add(double[] row, int probeSubject) {
      Integer mate = mateOf.get(probeSubject);
      double best = Double.NEGATIVE_INFINITY;
      int bestAt = -1;
      for (int c : columns) {
        if (row[c] > best) {
          best = row[c];
          bestAt = c;
        }
      }
      if (mate == null) {
        nonMatedBest.add(best);
      } else {
        matedFirst.add(bestAt == mate ? best : Double.NEGATIVE_INFINITY);
      }
    }

    OpenSet result() {
      double[] nm = nonMatedBest.stream().mapToDouble(Double::doubleValue).sorted().toArray(); // ascending
      double[] tpir = new double[FPIR.length];
      double[] thresholds = new double[FPIR.length];
      for (int f = 0; f < FPIR.length; f++) {
        int k = (int) Math.floor(FPIR[f] * nm.length);
        double th = k < nm.length ? nm[nm.length - 1 - k] : Double.NEGATIVE_INFINITY;
        long pass = matedFirst.stream().filter(s -> s > th).count();
        tpir[f] = matedFirst.isEmpty() ? Double.NaN : (double) pass / matedFirst.size();
        thresholds[f] = th;
      }
      return new OpenSet(matedFirst.size(), nm.length, FPIR.clone(), tpir, thresholds);
    }
  }
}
