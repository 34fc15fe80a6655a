package dev.facebeam.models.loss;

import java.util.Random;

/**
 * The classes of one classifier shard that a Partial FC step computes logits for, as arcface_torch's
 * {@code PartialFC_V2.sample} chooses them (docs/training.md, "Partial FC"): every class of the batch's
 * labels that the shard holds, filled up to {@code int(rate · classes)} with distinct other classes drawn
 * uniformly, in ascending order; when the batch holds more of the shard's classes than that, only they.
 *
 * @param index the sampled classes, shard-local (0-based), ascending
 */
public record ClassSample(long[] index) {

  /** {@code int(rate · classes)} as Python's {@code int()} truncates it: the sample's size per shard. */
  public static int size(double rate, int classes) {
    return (int) (rate * classes);
  }

  /**
   * Draws the sample of a shard of {@code classes} classes from {@code firstClass}, for a batch with
   * {@code labels} (global class ids; those outside the shard are ignored). The others are chosen by
   * selection sampling (Knuth's Algorithm S) in one pass over the shard, which gives them in order.
   */
  public static ClassSample draw(float[] labels, int firstClass, int classes, double rate, Random random) {
    boolean[] positive = new boolean[classes];
    int positives = 0;
    for (float l : labels) {
      int c = (int) l - firstClass;
      if (c >= 0 && c < classes && !positive[c]) {
        positive[c] = true;
        positives++;
      }
    }
    int want = size(rate, classes);
    long[] index = new long[Math.max(want, positives)];
    int n = 0;
    if (want <= positives) {
      for (int c = 0; c < classes; c++) {
        if (positive[c]) {
          index[n++] = c;
        }
      }
      return new ClassSample(index);
    }
    int needed = want - positives; // others still to choose
    int left = classes - positives; // others not yet considered
    for (int c = 0; c < classes; c++) {
      if (positive[c]) {
        index[n++] = c;
      } else {
        if (needed > 0 && random.nextInt(left) < needed) {
          index[n++] = c;
          needed--;
        }
        left--;
      }
    }
    return new ClassSample(index);
  }
}
