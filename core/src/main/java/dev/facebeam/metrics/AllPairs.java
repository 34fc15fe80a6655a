package dev.facebeam.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * All-to-all 1:1 over a labelled set (IFRT's protocol, docs/allpairs.md): every pair i &lt; j is
 * scored, and for each FAR the vertex scikit-learn's {@code roc_curve} (with its defaults) gives the
 * highest TPR among those with FPR ≤ FAR — TPR, FPR and threshold — exactly, without holding the
 * impostor scores. A first pass keeps every genuine score and counts impostors by the top 16 bits of
 * their order-preserving key; a second counts, inside the few bins that hold a threshold, by the low
 * 16 bits, which pins each order statistic to its exact value; a further pass runs only where
 * {@code drop_intermediate}'s walk reaches a bin not yet counted. Memory: the genuine scores, 65,536
 * counts per set and per counted bin — never the impostors.
 *
 * <p>Pairs are scored by one deterministic kernel (a float32 dot product summed in index order), so
 * every pass sees the same score for the same pair. Sets: all images, and within each group.
 */
public final class AllPairs {
  private static final int BINS = 1 << 16;

  private AllPairs() {}

  /** The vectors (row-major, {@code d} per row) with their identity labels and groups (-1: none; null: no groups). */
  public record Input(float[] rows, int d, long[] labels, int[] groups, List<String> groupNames) {
    int n() {
      return labels.length;
    }
  }

  /** One set's numbers: the pairs it has and, per FAR asked, the operating point (null where FAR × impostors &lt; 1). */
  public record Result(long genuine, long impostor, Map<Double, Operating> atFar) {}

  /**
   * The vertex: the highest TAR with FAR ≤ the target, its FAR and its threshold (same iff score ≥
   * threshold; +∞ for roc_curve's prepended (0, 0)); TAR is NaN where the set has no genuine pair.
   */
  public record Operating(double tar, double far, float threshold) {}

  /** The numbers over all images ("all") and within each group, in group order. */
  public static Map<String, Result> evaluate(Input in, double[] fars) {
    for (int i = 0; i < in.n(); i++) {
      for (int k = 0; k < in.d(); k++) {
        if (!Float.isFinite(in.rows()[i * in.d() + k])) {
          throw new IllegalArgumentException("row " + i + " holds a value that is not a finite number");
        }
      }
    }
    int groups = in.groups() == null ? 0 : in.groupNames().size();
    Counts[] sets = new Counts[1 + groups];
    for (int s = 0; s < sets.length; s++) {
      sets[s] = new Counts();
    }
    scoreAll(in, (set, genuine, key) -> {
      Counts t = sets[set];
      if (genuine) {
        t.addGenuine(key);
      } else {
        t.impostors++;
        t.level1[bin(key)]++;
      }
    });
    for (Counts t : sets) {
      t.sortGenuine();
    }
    // Resolve every (set, FAR); where a bin's low-16-bit counts are missing, count them in one more pass.
    Map<String, Result> out = new LinkedHashMap<>();
    while (true) {
      List<long[]> missing = new ArrayList<>();
      Map<Double, Operating>[] found = resolveAll(sets, fars, missing);
      if (missing.isEmpty()) {
        for (int s = 0; s < sets.length; s++) {
          out.put(s == 0 ? "all" : in.groupNames().get(s - 1), new Result(sets[s].genuineCount, sets[s].impostors, found[s]));
        }
        return out;
      }
      for (long[] m : missing) {
        sets[(int) m[0]].level2.putIfAbsent((int) m[1], new long[BINS]);
      }
      scoreAll(in, (set, genuine, key) -> {
        if (!genuine) {
          long[] counts = sets[set].level2.get(bin(key));
          if (counts != null && !sets[set].counted.contains(bin(key))) {
            counts[low(key)]++;
          }
        }
      });
      for (Counts t : sets) {
        t.counted.addAll(t.level2.keySet());
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<Double, Operating>[] resolveAll(Counts[] sets, double[] fars, List<long[]> missing) {
    Map<Double, Operating>[] found = new Map[sets.length];
    for (int s = 0; s < sets.length; s++) {
      found[s] = new LinkedHashMap<>();
      for (double f : fars) {
        try {
          found[s].put(f, sets[s].at(f));
        } catch (NeedBin n) {
          missing.add(new long[] {s, n.bin});
        }
      }
    }
    return found;
  }

  /** What a pass does with one scored pair, for each set the pair belongs to. */
  private interface PairSink {
    void accept(int set, boolean genuine, int key);
  }

  /** Scores every pair i &lt; j in row blocks (the unit a cluster will hand out) and tells each set it belongs to. */
  private static void scoreAll(Input in, PairSink sink) {
    int n = in.n();
    int d = in.d();
    float[] x = in.rows();
    int block = 256;
    for (int bi = 0; bi < n; bi += block) {
      for (int bj = bi; bj < n; bj += block) {
        for (int i = bi; i < Math.min(n, bi + block); i++) {
          for (int j = Math.max(i + 1, bj); j < Math.min(n, bj + block); j++) {
            float s = 0f;
            for (int k = 0; k < d; k++) {
              s += x[i * d + k] * x[j * d + k];
            }
            int key = key(s);
            boolean genuine = in.labels()[i] == in.labels()[j];
            sink.accept(0, genuine, key);
            if (in.groups() != null && in.groups()[i] >= 0 && in.groups()[i] == in.groups()[j]) {
              sink.accept(1 + in.groups()[i], genuine, key);
            }
          }
        }
      }
    }
  }

  /** A score as an int whose signed order is the scores' order; -0.0 is 0.0 (np.diff sees them as one score). */
  static int key(float s) {
    int bits = Float.floatToRawIntBits(s == 0f ? 0f : s);
    return bits ^ ((bits >> 31) & 0x7fffffff);
  }

  static float score(int key) {
    return Float.intBitsToFloat(key ^ ((key >> 31) & 0x7fffffff));
  }

  private static int bin(int key) {
    return (key >> 16) + (BINS / 2);
  }

  private static int low(int key) {
    return key & 0xffff;
  }

  private static int keyOf(int bin, int low) {
    return ((bin - BINS / 2) << 16) | low;
  }

  /** A bin whose low-16-bit counts a resolution needs. */
  private static final class NeedBin extends RuntimeException {
    final int bin;

    NeedBin(int bin) {
      super(null, null, false, false);
      this.bin = bin;
    }
  }

  /** One set's counts: genuine keys (sorted), impostors per top-16-bit bin, and per counted bin per low 16 bits. */
  private static final class Counts {
    int[] genuine = new int[1024];
    int genuineCount;
    long impostors;
    final long[] level1 = new long[BINS];
    final Map<Integer, long[]> level2 = new HashMap<>();
    final Set<Integer> counted = new java.util.HashSet<>();

    void addGenuine(int key) {
      if (genuineCount == genuine.length) {
        genuine = Arrays.copyOf(genuine, genuine.length * 2);
      }
      genuine[genuineCount++] = key;
    }

    void sortGenuine() {
      genuine = Arrays.copyOf(genuine, genuineCount);
      Arrays.sort(genuine);
    }

    /** The low-16-bit counts of a bin, or the request to count them. */
    private long[] counts(int bin) {
      if (!counted.contains(bin)) {
        throw new NeedBin(bin);
      }
      return level2.get(bin);
    }

    /** Impostors with exactly this key. */
    long impostorsAt(int key) {
      return level1[bin(key)] == 0 ? 0 : counts(bin(key))[low(key)];
    }

    /** Impostors with a key ≥ this one. */
    long impostorsFrom(int key) {
      long n = 0;
      for (int b = bin(key) + 1; b < BINS; b++) {
        n += level1[b];
      }
      if (level1[bin(key)] > 0) {
        long[] c = counts(bin(key));
        for (int l = low(key); l < BINS; l++) {
          n += c[l];
        }
      }
      return n;
    }

    long genuineAt(int key) {
      return genuineFrom(key) - genuineFrom(key + 1);
    }

    /** Genuine pairs with a key ≥ this one. */
    long genuineFrom(int key) {
      int i = Arrays.binarySearch(genuine, key);
      if (i < 0) {
        return genuineCount - (-i - 1);
      }
      while (i > 0 && genuine[i - 1] == key) {
        i--;
      }
      return genuineCount - i;
    }

    /** The smallest impostor key above {@code key}, or null when none is. */
    Integer impostorAbove(int key) {
      int b = bin(key);
      if (level1[b] > 0 && low(key) < BINS - 1) {
        long[] c = counts(b);
        for (int l = low(key) + 1; l < BINS; l++) {
          if (c[l] > 0) {
            return keyOf(b, l);
          }
        }
      }
      for (int a = b + 1; a < BINS; a++) {
        if (level1[a] > 0) {
          long[] c = counts(a);
          for (int l = 0; l < BINS; l++) {
            if (c[l] > 0) {
              return keyOf(a, l);
            }
          }
        }
      }
      return null;
    }

    /** The smallest score (genuine or impostor) above {@code key}, or null when none is. */
    Integer above(int key) {
      Integer imp = impostorAbove(key);
      int i = Arrays.binarySearch(genuine, key);
      int next = i < 0 ? -i - 1 : i;
      while (next < genuineCount && genuine[next] <= key) {
        next++;
      }
      Integer gen = next < genuineCount ? genuine[next] : null;
      if (imp == null) {
        return gen;
      }
      return gen == null ? imp : Math.min(imp, gen);
    }

    /** The smallest score of the set (roc_curve's last vertex). */
    int lowest() {
      int lo = genuineCount > 0 ? genuine[0] : Integer.MAX_VALUE;
      for (int b = 0; b < BINS; b++) {
        if (level1[b] > 0) {
          long[] c = counts(b);
          for (int l = 0; l < BINS; l++) {
            if (c[l] > 0) {
              return Math.min(lo, keyOf(b, l));
            }
          }
        }
      }
      return lo;
    }

    /** The (r)-th highest impostor key, r from 1. */
    int impostorRanked(long r) {
      long seen = 0;
      for (int b = BINS - 1; b >= 0; b--) {
        if (seen + level1[b] >= r) {
          long[] c = counts(b);
          for (int l = BINS - 1; l >= 0; l--) {
            seen += c[l];
            if (seen >= r) {
              return keyOf(b, l);
            }
          }
        }
        seen += level1[b];
      }
      throw new IllegalStateException("rank " + r + " beyond " + impostors + " impostors");
    }

    /** roc_curve's vertex with the highest TPR at FPR ≤ {@code far} (docs/allpairs.md), or null where far × impostors &lt; 1. */
    Operating at(double far) {
      long n = impostors;
      if (far * n < 1) {
        return null;
      }
      // The most impostors at or above a threshold whose FPR, as roc_curve divides, stays ≤ far.
      long allowed = Math.min(n, (long) Math.floor(far * n));
      while (allowed < n && (double) (allowed + 1) / n <= far) {
        allowed++;
      }
      while (allowed > 0 && (double) allowed / n > far) {
        allowed--;
      }
      int vertex;
      if (allowed >= n) {
        vertex = lowest(); // every vertex qualifies: the last one, always kept
      } else {
        int next = impostorRanked(allowed + 1); // the first impostor too many
        Integer cur = above(next);
        if (cur == null) {
          return new Operating(genuineCount == 0 ? Double.NaN : 0.0, 0.0, Float.POSITIVE_INFINITY);
        }
        // drop_intermediate drops a vertex whose impostor and genuine steps equal the next vertex's.
        while (true) {
          Integer up = above(cur);
          if (up == null || impostorsAt(cur) != impostorsAt(next) || genuineAt(cur) != genuineAt(next)) {
            break;
          }
          next = cur;
          cur = up;
        }
        vertex = cur;
      }
      double tar = genuineCount == 0 ? Double.NaN : (double) genuineFrom(vertex) / genuineCount;
      return new Operating(tar, (double) impostorsFrom(vertex) / n, score(vertex));
    }
  }
}
