package dev.facebeam.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * MegaFace identification and verification from unit-vector features (docs/megaface.md and
 * docs/decisions.md): cosine scores; every ordered pair (probe, gallery) of different images of one
 * identity is a trial, against every (clean) distractor; rank-1 correct when the genuine score is
 * ≥ the best distractor score; CMC from each probe's top-K distractor scores; TAR at an exact FAR
 * taken from the impostor (probe × distractor) score distribution.
 */
public final class MegaFaceProtocol {
  private MegaFaceProtocol() {}

  /** The probe set after cleaning, and what cleaning did. */
  public record Probes(float[][] vectors, int[] identity, int replaced, int unreplaceable) {}

  /**
   * remove_noises.py without its ±0.001 jitter (docs/decisions.md): a noisy probe becomes the L2-normalised sum of
   * its identity's clean features. An identity with no clean feature keeps its probes as they are
   * (counted in {@code unreplaceable}).
   */
  public static Probes cleanProbes(float[][] vectors, int[] identity, boolean[] noisy) {
    Map<Integer, double[]> centre = new HashMap<>();
    for (int i = 0; i < vectors.length; i++) {
      if (!noisy[i]) {
        double[] c = centre.computeIfAbsent(identity[i], k -> new double[vectors[0].length]);
        for (int j = 0; j < c.length; j++) {
          c[j] += vectors[i][j];
        }
      }
    }
    float[][] out = new float[vectors.length][];
    int replaced = 0;
    int unreplaceable = 0;
    for (int i = 0; i < vectors.length; i++) {
      double[] c = noisy[i] ? centre.get(identity[i]) : null;
      if (!noisy[i]) {
        out[i] = vectors[i];
      } else if (c == null) {
        out[i] = vectors[i];
        unreplaceable++;
      } else {
        double n = 0;
        for (double v : c) {
          n += v * v;
        }
        n = Math.sqrt(n);
        out[i] = new float[c.length];
        for (int j = 0; j < c.length; j++) {
          out[i][j] = (float) (c[j] / n);
        }
        replaced++;
      }
    }
    return new Probes(out, identity, replaced, unreplaceable);
  }

  public static float dot(float[] a, float[] b) {
    float s = 0f;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  /** One genuine trial: probe p against gallery image g of the same identity, with its score. */
  public record Trial(int probe, int gallery, float score) {}

  /** Every ordered pair of different images of one identity (docs/megaface.md). */
  public static List<Trial> trials(float[][] probes, int[] identity) {
    Map<Integer, List<Integer>> byId = new HashMap<>();
    for (int i = 0; i < probes.length; i++) {
      byId.computeIfAbsent(identity[i], k -> new ArrayList<>()).add(i);
    }
    List<Trial> out = new ArrayList<>();
    for (List<Integer> members : byId.values()) {
      for (int p : members) {
        for (int g : members) {
          if (p != g) {
            out.add(new Trial(p, g, dot(probes[p], probes[g])));
          }
        }
      }
    }
    return out;
  }

  /** Identification over one distractor set size. */
  public record Identification(long trials, long correct, double rank1, double[] cmc) {}

  /**
   * @param top per probe, its K highest clean-distractor scores (highest first)
   */
  public static Identification identify(List<Trial> trials, float[][] top, int k) {
    long[] atRank = new long[k]; // trials whose rank (distractors strictly above) is r
    long correct = 0;
    for (Trial t : trials) {
      float[] d = top[t.probe()];
      int rank = 0;
      while (rank < d.length && d[rank] > t.score()) {
        rank++;
      }
      if (rank == 0) {
        correct++; // genuine ≥ best distractor (docs/decisions.md)
      }
      if (rank < k) {
        atRank[rank]++;
      }
    }
    double[] cmc = new double[k];
    long cumulative = 0;
    for (int r = 0; r < k; r++) {
      cumulative += atRank[r];
      cmc[r] = trials.isEmpty() ? Double.NaN : (double) cumulative / trials.size();
    }
    return new Identification(trials.size(), correct, trials.isEmpty() ? Double.NaN : (double) correct / trials.size(), cmc);
  }

  /** TAR at a target FAR, with the threshold and the FAR actually achieved (docs/decisions.md). */
  public record TarAtFar(double targetFar, double tar, double far, float threshold, long impostorsAccepted) {}

  /**
   * @param topImpostors the highest impostor scores over all probe × distractor pairs, highest
   *     first; at least floor(FAR · impostors) + 1 of them, or all of them
   * @param impostors the number of impostor pairs
   */
  public static TarAtFar tarAtFar(List<Trial> genuine, float[] topImpostors, long impostors, double targetFar) {
    long k = (long) Math.floor(targetFar * impostors);
    if (k >= topImpostors.length && topImpostors.length < impostors) {
      throw new IllegalArgumentException("need the top " + (k + 1) + " impostor scores, have " + topImpostors.length);
    }
    float threshold;
    boolean inclusive;
    if (k == 0) {
      threshold = topImpostors.length == 0 ? Float.NEGATIVE_INFINITY : topImpostors[0];
      inclusive = false; // accept only scores above every impostor
    } else {
      threshold = topImpostors[(int) Math.min(k, topImpostors.length) - 1]; // the k-th highest
      inclusive = true;
    }
    if (inclusive && topImpostors.length < impostors && topImpostors[topImpostors.length - 1] >= threshold) {
      throw new IllegalArgumentException("impostor scores tied at the threshold run past the " + topImpostors.length
          + " kept: keep more to count the FAR exactly");
    }
    long accepted = 0;
    for (float s : topImpostors) {
      if (inclusive ? s >= threshold : s > threshold) {
        accepted++;
      }
    }
    long tp = 0;
    for (Trial t : genuine) {
      if (inclusive ? t.score() >= threshold : t.score() > threshold) {
        tp++;
      }
    }
    return new TarAtFar(targetFar, genuine.isEmpty() ? Double.NaN : (double) tp / genuine.size(),
        impostors == 0 ? Double.NaN : (double) accepted / impostors, threshold, accepted);
  }
}
