package dev.facebeam.models.loss;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * FaceNet semi-hard triplet selection over a bag, as {@code triplet_image_iter.py} does it
 * (docs/training.md): for every anchor–positive pair (j &lt; k) of one identity, a negative from another identity
 * with d(a, p) &lt; d(a, n) and d(a, n) − d(a, p) &lt; α (squared distances of unit vectors), picked
 * uniformly at random; pairs with none are skipped, as are pairs with d(a, p) above maxAp when it is
 * positive.
 */
public final class SemiHardMining {
  private SemiHardMining() {}

  /** One triplet, as row indices into the bag. */
  public record Triplet(int anchor, int positive, int negative) {}

  /** {@code bag}: unit rows; {@code identity}: per row. */
  public static List<Triplet> mine(float[][] bag, int[] identity, float alpha, float maxAp, Random random) {
    int n = bag.length;
    List<Triplet> out = new ArrayList<>();
    for (int a = 0; a < n; a++) {
      for (int p = a + 1; p < n; p++) {
        if (identity[p] != identity[a]) {
          continue;
        }
        double dap = squared(bag[a], bag[p]);
        if (maxAp > 0 && dap > maxAp) {
          continue;
        }
        List<Integer> candidates = new ArrayList<>();
        for (int c = 0; c < n; c++) {
          if (identity[c] == identity[a]) {
            continue;
          }
          double dan = squared(bag[a], bag[c]);
          if (dan - dap < alpha && dap < dan) {
            candidates.add(c);
          }
        }
        if (!candidates.isEmpty()) {
          out.add(new Triplet(a, p, candidates.get(random.nextInt(candidates.size()))));
        }
      }
    }
    return out;
  }

  private static double squared(float[] x, float[] y) {
    double s = 0;
    for (int i = 0; i < x.length; i++) {
      double d = x[i] - y[i];
      s += d * d;
    }
    return s;
  }
}
