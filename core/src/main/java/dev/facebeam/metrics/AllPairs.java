package dev.facebeam.metrics;

import dev.facebeam.UserInputException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
  /** A bin with at most this many impostors is counted by keeping their keys, not 65,536 counts. */
  private static final long SPARSE_UP_TO = 16_384;
  /** The flag of a request for a bin counted sparsely. */
  private static final long SPARSE = 1L << 62;

  private AllPairs() {}

  /** Where the vectors come from: rows read by index range, so a worker reads only its block's rows. */
  public interface Rows extends Serializable {
    int d();

    /** Rows {@code from} … {@code from + n - 1}, row-major, into {@code dst}. */
    void read(int from, int n, float[] dst);

    /** The file (or "memory") a row is named by in an error. */
    String source();
  }

  /** Rows held in memory (row-major, {@code d} per row). */
  public record MemoryRows(float[] values, int d) implements Rows {
    public void read(int from, int n, float[] dst) {
      System.arraycopy(values, from * d, dst, 0, n * d);
    }

    public String source() {
      return "embeddings";
    }
  }

  /** The vectors with their identity labels and groups (-1: none; null: no groups), and the groups' names. */
  public record Input(Rows rows, long[] labels, int[] groups, List<String> groupNames) implements Serializable {
    public Input(float[] rows, int d, long[] labels, int[] groups, List<String> groupNames) {
      this(new MemoryRows(rows, d), labels, groups, groupNames);
    }

    int n() {
      return labels.length;
    }

    int d() {
      return rows.d();
    }
  }

  /** One set's numbers: the pairs it has and, per FAR asked, the operating point (null where FAR × impostors &lt; 1). */
  public record Result(long genuine, long impostor, Map<Double, Operating> atFar) {}

  /**
   * The vertex: the highest TAR with FAR ≤ the target, its FAR and its threshold (same iff score ≥
   * threshold; +∞ for roc_curve's prepended (0, 0)); TAR is NaN where the set has no genuine pair.
   */
  public record Operating(double tar, double far, float threshold) {}

  /** A unit of work a cluster can hand out: rows [i0, i1) against rows [j0, j1), the pairs i &lt; j among them. */
  public record Block(int i0, int i1, int j0, int j1) implements Serializable {}

  /** The upper triangle of {@code n} rows cut into blocks of {@code rows} × {@code rows}, each pair i &lt; j in exactly one. */
  public static List<Block> blocks(int n, int rows) {
    List<Block> out = new ArrayList<>();
    for (int i = 0; i < n; i += rows) {
      for (int j = i; j < n; j += rows) {
        out.add(new Block(i, Math.min(n, i + rows), j, Math.min(n, j + rows)));
      }
    }
    return out;
  }

  /** The numbers over all images ("all") and within each group, in group order: every pass run here, block by block. */
  public static Map<String, Result> evaluate(Input in, double[] fars) {
    List<Block> blocks = blocks(in.n(), 256);
    Tally first = new Tally(sets(in));
    blocks.forEach(b -> first.count(in, b));
    Counted counted = new Counted();
    while (true) {
      Resolution r = resolve(first, counted, fars, in.groupNames());
      if (r.missing().isEmpty()) {
        return r.results();
      }
      Tally second = new Tally(sets(in), r.missing());
      blocks.forEach(b -> second.count(in, b));
      counted.add(second);
    }
  }

  /** How many sets a tally of this input counts: all images, and one per group. */
  public static int sets(Input in) {
    return 1 + (in.groups() == null ? 0 : in.groupNames().size());
  }

  /**
   * The points found, or the bins (set &lt;&lt; 32 | bin) whose low-16-bit impostor counts are still
   * needed — count them with a {@link Tally} over every block and resolve again.
   */
  public record Resolution(Map<String, Result> results, java.util.Set<Long> missing) {}

  /** A bin of a set to count in a later pass: (set &lt;&lt; 32 | bin), flagged sparse when few impostors fall in it. */
  private static long request(int set, int bin, long impostorsInBin) {
    return ((long) set << 32 | bin) | (impostorsInBin <= SPARSE_UP_TO ? SPARSE : 0);
  }

  /** The points from the first pass's tally (every block added) and the bins counted so far. */
  public static Resolution resolve(Tally first, Counted counted, double[] fars, List<String> groupNames) {
    Map<String, Result> out = new LinkedHashMap<>();
    java.util.Set<Long> missing = new java.util.TreeSet<>();
    for (int s = 0; s < first.sets; s++) {
      Counts c = new Counts(first, s, counted);
      Map<Double, Operating> found = new LinkedHashMap<>();
      for (double f : fars) {
        try {
          found.put(f, c.at(f));
        } catch (NeedBin n) {
          missing.add(request(s, n.bin, first.level1[s][n.bin]));
          // The walk up from a threshold stops at the latest at the first genuine score above it: count
          // the bins holding impostors up to that genuine score's bin in the same pass — a few dense
          // ones, and sparse ones (kept as their impostors' keys) up to a million keys.
          int stop = n.walk ? c.genuineBinAbove(n.bin) : n.bin;
          int dense = 0;
          long keys = 0;
          for (int b = n.bin + 1; b < BINS && b <= stop && dense < 2 && keys < 1_000_000; b++) {
            long inBin = first.level1[s][b];
            if (inBin > 0) {
              missing.add(request(s, b, inBin));
              dense += inBin > SPARSE_UP_TO ? 1 : 0;
              keys += inBin > SPARSE_UP_TO ? 0 : inBin;
            }
          }
        }
      }
      out.put(s == 0 ? "all" : groupNames.get(s - 1), new Result(first.genuineCount[s], first.impostors[s], found));
    }
    return new Resolution(missing.isEmpty() ? out : Map.of(), missing);
  }

  /**
   * What a pass counted over some blocks, per set — the first pass: genuine keys and impostors per
   * top-16-bit bin; a later pass: impostors per low 16 bits inside the bins asked for. Tallies of
   * different blocks add up in any order to the same numbers.
   */
  public static final class Tally implements Serializable {
    private static final long serialVersionUID = 1L;
    final int sets;
    final int[][] genuine;
    final int[] genuineCount;
    final long[] impostors;
    final long[][] level1;
    final HashMap<Long, int[]> level2 = new HashMap<>();
    final HashMap<Long, Lows> sparse = new HashMap<>();
    private final boolean first;
    private HashMap<Long, Boolean> wanted;
    private boolean sorted;

    /** A first-pass tally. */
    public Tally(int sets) {
      this.sets = sets;
      this.first = true;
      this.wanted = null;
      genuine = new int[sets][64];
      genuineCount = new int[sets];
      impostors = new long[sets];
      level1 = new long[sets][BINS];
    }

    /** A later pass's tally, counting inside {@code bins} (set &lt;&lt; 32 | bin) only; a bin's counts are made when it is first hit. */
    public Tally(int sets, java.util.Set<Long> bins) {
      this.sets = sets;
      this.first = false;
      genuine = null;
      genuineCount = null;
      impostors = null;
      level1 = null;
      wanted = new HashMap<>();
      bins.forEach(r -> wanted.put(r & ~SPARSE, (r & SPARSE) != 0));
    }

    /** Scores the block's pairs and counts them. */
    public void count(Input in, Block b) {
      sorted = false;
      scoreBlock(in, b, (set, genuineScore, key) -> {
        if (first) {
          if (genuineScore) {
            if (genuineCount[set] == genuine[set].length) {
              genuine[set] = Arrays.copyOf(genuine[set], genuine[set].length * 2);
            }
            genuine[set][genuineCount[set]++] = key;
          } else {
            impostors[set]++;
            level1[set][bin(key)]++;
          }
        } else if (!genuineScore) {
          long id = (long) set << 32 | bin(key);
          Boolean few = wanted.get(id);
          if (few != null) {
            if (few) {
              sparse.computeIfAbsent(id, x -> new Lows()).add(low(key));
            } else {
              level2.computeIfAbsent(id, x -> new int[BINS])[low(key)]++;
            }
          }
        }
      });
    }

    /** Trims each set's genuine keys to their count and sorts them, once (a tally no longer added to). */
    void sortGenuine() {
      if (sorted) {
        return;
      }
      for (int s = 0; s < sets; s++) {
        genuine[s] = Arrays.copyOf(genuine[s], genuineCount[s]);
        Arrays.sort(genuine[s]);
      }
      sorted = true;
    }

    /** Adds another tally of the same pass. */
    public void add(Tally o) {
      sorted = false;
      if (first) {
        for (int s = 0; s < sets; s++) {
          if (genuineCount[s] + o.genuineCount[s] > genuine[s].length) {
            genuine[s] = Arrays.copyOf(genuine[s], genuineCount[s] + o.genuineCount[s]);
          }
          System.arraycopy(o.genuine[s], 0, genuine[s], genuineCount[s], o.genuineCount[s]);
          genuineCount[s] += o.genuineCount[s];
          impostors[s] += o.impostors[s];
          for (int b = 0; b < BINS; b++) {
            level1[s][b] += o.level1[s][b];
          }
        }
      } else {
        o.level2.forEach((k, v) -> {
          int[] mine = level2.computeIfAbsent(k, x -> new int[BINS]);
          for (int l = 0; l < BINS; l++) {
            mine[l] = Math.addExact(mine[l], v[l]);
          }
        });
        o.sparse.forEach((k, v) -> sparse.computeIfAbsent(k, x -> new Lows()).addAll(v));
      }
    }
  }

  /**
   * What the later passes counted, bin by bin: dense bins as 65,536 counts, sparse ones as their
   * impostors' keys, made into counts only for the bins a resolution reads.
   */
  public static final class Counted {
    private final Map<Long, int[]> dense = new HashMap<>();
    private final Map<Long, Lows> sparse = new HashMap<>();
    private final java.util.Set<Long> asked = new java.util.HashSet<>();

    /** Adds a later pass's tally (every block of it added). */
    public void add(Tally later) {
      later.wanted.keySet().forEach(asked::add);
      dense.putAll(later.level2);
      sparse.putAll(later.sparse);
    }

    /** The bin's counts, or null when no pass counted it. */
    int[] counts(long id) {
      int[] c = dense.get(id);
      if (c == null && asked.contains(id)) {
        c = new int[BINS];
        Lows lows = sparse.remove(id);
        if (lows != null) {
          for (int i = 0; i < lows.n; i++) {
            c[lows.v[i]]++;
          }
        }
        dense.put(id, c);
      }
      return c;
    }
  }

  /** The low 16 bits of a sparse bin's impostors, as they fell. */
  private static final class Lows implements Serializable {
    private static final long serialVersionUID = 1L;
    int[] v = new int[16];
    int n;

    void add(int low) {
      if (n == v.length) {
        v = Arrays.copyOf(v, n * 2);
      }
      v[n++] = low;
    }

    void addAll(Lows o) {
      if (n + o.n > v.length) {
        v = Arrays.copyOf(v, Math.max(v.length * 2, n + o.n));
      }
      System.arraycopy(o.v, 0, v, n, o.n);
      n += o.n;
    }
  }

  /** What a pass does with one scored pair, for each set the pair belongs to. */
  private interface PairSink {
    void accept(int set, boolean genuine, int key);
  }

  /**
   * Scores a block's pairs i &lt; j with the one kernel every pass uses (a float32 dot product summed
   * in index order), and tells each set a pair belongs to. A row that is not all finite numbers is an
   * error naming its source and row.
   */
  private static void scoreBlock(Input in, Block b, PairSink sink) {
    int d = in.d();
    float[] x = readFinite(in, b.i0(), b.i1());
    float[] y = b.j0() == b.i0() ? x : readFinite(in, b.j0(), b.j1());
    for (int i = b.i0(); i < b.i1(); i++) {
      int xi = (i - b.i0()) * d;
      for (int j = Math.max(i + 1, b.j0()); j < b.j1(); j++) {
        int yj = (j - b.j0()) * d;
        float s = 0f;
        for (int k = 0; k < d; k++) {
          s += x[xi + k] * y[yj + k];
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

  private static float[] readFinite(Input in, int from, int to) {
    int d = in.d();
    float[] rows = new float[(to - from) * d];
    in.rows().read(from, to - from, rows);
    for (int k = 0; k < rows.length; k++) {
      if (!Float.isFinite(rows[k])) {
        throw new UserInputException(in.rows().source() + "@row=" + (from + k / d), "holds a value that is not a finite number");
      }
    }
    return rows;
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
    final boolean walk;

    NeedBin(int bin, boolean walk) {
      super(null, null, false, false);
      this.bin = bin;
      this.walk = walk;
    }
  }

  /** One set's counts as the resolution reads them: genuine keys (sorted), impostors per bin, and the bins counted finer. */
  private static final class Counts {
    final int[] genuine;
    final int genuineCount;
    final long impostors;
    final long[] level1;
    private final Counted counted;
    private final long set;

    Counts(Tally first, int set, Counted counted) {
      first.sortGenuine(); // once: every later resolution reads the same sorted keys
      this.genuine = first.genuine[set];
      this.genuineCount = genuine.length;
      this.impostors = first.impostors[set];
      this.level1 = first.level1[set];
      this.counted = counted;
      this.set = set;
    }

    /** The low-16-bit counts of a bin, or the request to count them. */
    private int[] counts(int bin) {
      return counts(bin, true);
    }

    /** {@code walk}: asked on the way up from a threshold, where the bins above are worth counting in the same pass. */
    private int[] counts(int bin, boolean walk) {
      int[] c = counted.counts(set << 32 | bin);
      if (c == null) {
        throw new NeedBin(bin, walk);
      }
      return c;
    }

    /** The bin of the lowest genuine score in a bin above {@code bin}, or the top bin when none is. */
    int genuineBinAbove(int bin) {
      int i = Arrays.binarySearch(genuine, keyOf(bin, BINS - 1));
      int next = i < 0 ? -i - 1 : i + 1;
      return next < genuineCount ? bin(genuine[next]) : BINS - 1;
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
        int[] c = counts(bin(key));
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
        int[] c = counts(b);
        for (int l = low(key) + 1; l < BINS; l++) {
          if (c[l] > 0) {
            return keyOf(b, l);
          }
        }
      }
      for (int a = b + 1; a < BINS; a++) {
        if (level1[a] > 0) {
          int[] c = counts(a);
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
          int[] c = counts(b, false);
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
          int[] c = counts(b);
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
