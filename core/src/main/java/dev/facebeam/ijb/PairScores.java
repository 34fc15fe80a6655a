package dev.facebeam.ijb;

import dev.facebeam.metrics.NumpySums;
import java.util.stream.IntStream;

/**
 * Every 1:1 pair's score, {@code np.sum(t1 * t2)} of the two normalised float64 templates as eval_ijbc.py
 * computes it (docs/ijb.md), in an order that keeps the template rows in cache.
 *
 * <p>In the pair list's own order each pair reads two random 4 KB rows (at 512-d) and its ids and score slot at
 * random: at IJB-C's 15.66 M pairs over 23,124 templates (95 MB of rows) that waiting costs twice the arithmetic.
 * So the pairs are visited by band of their first template's row ({@value #BAND} rows, 1 MB at 512-d: it stays in
 * a core's L2 cache) and within a band by their second template's row, so that each second row is read once per
 * band; the rows to read are laid out in that order, and each slice's scores go back to their pairs at once. Each
 * score is the same sum whichever order or thread computes it.
 */
final class PairScores {
  static final int BAND = 256;
  private static final int SLICE = 65536;

  private PairScores() {}

  /** The scores, index for index with {@code pairs}; every template of a pair has a row in {@code templates}. */
  static double[] of(TemplatePooling.Templates templates, IjbPairs pairs) {
    Visit visit = Visit.of(templates, pairs);
    double[][] rows = templates.vectors();
    double[] scores = new double[pairs.size()];
    IntStream.range(0, (scores.length + SLICE - 1) / SLICE).parallel().forEach(slice -> {
      int from = slice * SLICE;
      int to = Math.min(scores.length, from + SLICE);
      double[] visited = new double[to - from];
      for (int k = from; k < to; k++) {
        visited[k - from] = NumpySums.dot(rows[visit.first[k]], rows[visit.second[k]]);
      }
      for (int k = from; k < to; k++) {
        scores[visit.pair[k]] = visited[k - from];
      }
    });
    return scores;
  }

  /** The pairs in visiting order: which pair, and its two template rows. */
  record Visit(int[] pair, int[] first, int[] second) {

    /** Sorted by (band of the first row, second row): two stable counting passes, memory linear in the pairs. */
    static Visit of(TemplatePooling.Templates templates, IjbPairs pairs) {
      int n = pairs.size();
      int rows = templates.ids().length;
      int[] firstRow = new int[n];
      int[] secondRow = new int[n];
      int[] start = new int[rows + 1];
      int[] bandStart = new int[(rows + BAND - 1) / BAND + 1];
      for (int i = 0; i < n; i++) {
        firstRow[i] = templates.row(pairs.first()[i]);
        secondRow[i] = templates.row(pairs.second()[i]);
        start[secondRow[i] + 1]++;
        bandStart[firstRow[i] / BAND + 1]++;
      }
      for (int r = 0; r < rows; r++) {
        start[r + 1] += start[r];
      }
      for (int b = 0; b + 1 < bandStart.length; b++) {
        bandStart[b + 1] += bandStart[b];
      }
      int[] bySecond = new int[n];
      for (int i = 0; i < n; i++) {
        bySecond[start[secondRow[i]]++] = i;
      }
      Visit v = new Visit(new int[n], new int[n], new int[n]);
      for (int i : bySecond) {
        int k = bandStart[firstRow[i] / BAND]++;
        v.pair[k] = i;
        v.first[k] = firstRow[i];
        v.second[k] = secondRow[i];
      }
      return v;
    }
  }
}
