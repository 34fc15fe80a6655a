package dev.facebeam.metrics;

import dev.facebeam.UserInputException;
import java.io.Serializable;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * All-to-all 1:1 over a labelled set (IFRT's protocol, docs/allpairs.md): every pair i &lt; j is
 * scored, and for each FAR the vertex scikit-learn's {@code roc_curve} (with its defaults) gives the
 * highest TPR among those with FPR ≤ FAR — TPR, FPR and threshold — and the equal error rate, exactly,
 * without holding the impostor scores.
 *
 * <p>Two kernels (docs/allpairs.md, "Two kernels"): a fast product (a BLAS through DJL) scores every
 * pair within a stated bound ε of the canonical score ({@link BlockProduct#canonical}), the one every
 * number is made of. The first pass keeps every genuine pair's canonical score and counts impostors by
 * the top 16 bits of their fast score's order-preserving key; a later pass rescores with the canonical
 * kernel only the impostors whose fast score falls in the few bins (widened by ε) that can hold a
 * threshold, and keeps their canonical keys — so each order statistic, each count above it and each
 * vertex of the curve there is exact. Memory: the genuine scores, 65,536 counts per set, and the keys
 * of the rescored bins — never the impostors.
 *
 * <p>Sets: all images, and within each group; in cross mode ({@link Input#queries}) only pairs of a
 * query and a non-query image count.
 */
public final class AllPairs {
  static final int BINS = 1 << 16;
  /** The bins holding the fast scores of -Float.MAX_VALUE and Float.MAX_VALUE: every finite score lies between. */
  static final int LOWEST_BIN = bin(key(-Float.MAX_VALUE));
  static final int HIGHEST_BIN = bin(key(Float.MAX_VALUE));
  /** A row whose squared norm reaches this could overflow a float32 score. */
  private static final double MAX_NORM_SQUARED = 1e37;
  /** How many more impostors a request for a threshold's bins may take in, to spare the walk up from it a pass. */
  private static final long HEADROOM = 1_000_000;

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

  /**
   * The vectors with their identity labels, groups (-1: none; null: no groups) and the groups' names,
   * and the query images of cross mode (null: all-to-all).
   */
  public record Input(Rows rows, long[] labels, int[] groups, List<String> groupNames, boolean[] queries) implements Serializable {
    public Input(Rows rows, long[] labels, int[] groups, List<String> groupNames) {
      this(rows, labels, groups, groupNames, null);
    }

    public Input(float[] rows, int d, long[] labels, int[] groups, List<String> groupNames) {
      this(new MemoryRows(rows, d), labels, groups, groupNames, null);
    }

    int n() {
      return labels.length;
    }

    int d() {
      return rows.d();
    }

    /** All images, and one set per group. */
    public int sets() {
      return 1 + (groups == null ? 0 : groupNames.size());
    }

    /** A row's code: (group + 1) · 2 + (1 if a query). */
    int code(int row) {
      return (groups == null || groups[row] < 0 ? 0 : groups[row] + 1) * 2 + (queries != null && queries[row] ? 1 : 0);
    }

    /**
     * The class of a pair by its rows' codes, as a table: 0 counts in "all" only, 1 + g also in group
     * g, {@code sets()} in neither (cross mode: both on the same side).
     */
    int[] classes() {
      int c = 2 * sets();
      int[] t = new int[c * c];
      for (int a = 0; a < c; a++) {
        for (int b = 0; b < c; b++) {
          boolean skip = queries != null && (a & 1) == (b & 1);
          int ga = a / 2;
          t[a * c + b] = skip ? sets() : ga > 0 && ga == b / 2 ? ga : 0;
        }
      }
      return t;
    }
  }

  /** One set's numbers: the pairs it has, per FAR asked the operating point (null where FAR × impostors &lt; 1), and its EER. */
  public record Result(long genuine, long impostor, Map<Double, Operating> atFar, Eer eer) {}

  /**
   * The vertex: the highest TAR with FAR ≤ the target, its FAR and its threshold (same iff score ≥
   * threshold; +∞ for roc_curve's prepended (0, 0)); TAR is NaN where the set has no genuine pair.
   */
  public record Operating(double tar, double far, float threshold) {}

  /**
   * Where the ROC (vertices joined by straight lines, as interpolation reads it) crosses FNMR = FAR:
   * that rate, and the score of the first vertex at or past the crossing.
   */
  public record Eer(double rate, float threshold) {}

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

  /** The numbers over all images ("all") and within each group, in group order: every pass run here with the canonical kernel. */
  public static Map<String, Result> evaluate(Input in, double[] fars) {
    return evaluate(in, fars, new BlockProduct.Canonical(), 256);
  }

  /** As {@link #evaluate(Input, double[])}, scoring with {@code product} in blocks of {@code rows}. */
  public static Map<String, Result> evaluate(Input in, double[] fars, BlockProduct product, int rows) {
    List<Block> blocks = blocks(in.n(), rows);
    Tally first = new Tally(in.sets());
    blocks.forEach(b -> first.count(in, b, product));
    Counted counted = new Counted();
    while (true) {
      Resolution r = resolve(first, counted, fars, in.groupNames());
      if (r.missing().isEmpty()) {
        return r.results();
      }
      Tally later = new Tally(in.sets(), r.missing());
      blocks.forEach(b -> later.count(in, b, product));
      counted.add(later);
    }
  }

  /**
   * A set's fast-score bins [binLo, binHi] whose impostors a later pass rescores with the canonical
   * kernel and keeps.
   */
  public record Want(int set, int binLo, int binHi) implements Serializable {}

  /** The points found, or the bins still wanted — rescore them with a {@link Tally} over every block and resolve again. */
  public record Resolution(Map<String, Result> results, List<Want> missing) {}

  /** The points from the first pass's tally (every block added) and the bins rescored so far. */
  public static Resolution resolve(Tally first, Counted counted, double[] fars, List<String> groupNames) {
    Map<String, Result> out = new LinkedHashMap<>();
    List<Want> missing = new ArrayList<>();
    first.sortGenuine();
    for (int s = 0; s < first.sets; s++) {
      Counts c = new Counts(first, s, counted);
      Map<Double, Operating> found = new LinkedHashMap<>();
      for (double f : fars) {
        try {
          found.put(f, c.at(f));
        } catch (Need n) {
          missing.add(c.want(n));
        }
      }
      Eer eer = null;
      try {
        eer = c.eer();
      } catch (Need n) {
        missing.add(c.want(n));
      }
      out.put(s == 0 ? "all" : groupNames.get(s - 1), new Result(c.genuineCount, c.impostors, found, eer));
    }
    return new Resolution(missing.isEmpty() ? out : Map.of(), merge(missing));
  }

  /** Each set's wanted bins as disjoint ranges: overlapping or adjacent ones joined. */
  private static List<Want> merge(List<Want> wants) {
    List<Want> sorted = new ArrayList<>(wants);
    sorted.sort(Comparator.comparingInt(Want::set).thenComparingInt(Want::binLo));
    List<Want> out = new ArrayList<>();
    for (Want w : sorted) {
      Want last = out.isEmpty() ? null : out.get(out.size() - 1);
      if (last != null && last.set() == w.set() && w.binLo() <= last.binHi() + 1) {
        out.set(out.size() - 1, new Want(w.set(), last.binLo(), Math.max(last.binHi(), w.binHi())));
      } else {
        out.add(w);
      }
    }
    return out;
  }

  /**
   * What a pass counted over some blocks. Every pass: the impostors per pair class and fast-score bin.
   * The first also every genuine pair's canonical key and the bound ε the product stated; a later one
   * the canonical keys of the impostors in the wanted bins. A later pass's own counts say how many
   * impostors lie above a wanted range, so a product whose fast scores differ from pass to pass (another
   * machine, another BLAS path) still gives exact numbers. Tallies of different blocks add up in any
   * order to the same numbers.
   */
  public static final class Tally implements Serializable {
    private static final long serialVersionUID = 2L;
    final int sets;
    private final boolean first;
    /** [class · BINS + bin]: impostors by fast score; the last class holds pairs no set counts. */
    final long[] counts;
    final int[][] genuine;
    final int[] genuineCount;
    double eps;
    /** Later pass: the bins wanted, and per want the keys found. */
    final List<Want> wanted;
    final Keys[] found;
    private transient byte[] marks;
    private transient int[][] wantOf;
    private boolean sorted;

    /** A first-pass tally. */
    public Tally(int sets) {
      this.sets = sets;
      this.first = true;
      counts = new long[(sets + 1) * BINS];
      genuine = new int[sets][16];
      genuineCount = new int[sets];
      wanted = null;
      found = null;
    }

    /** A later pass's tally, rescoring the impostors of the wanted bins. */
    public Tally(int sets, List<Want> wanted) {
      this.sets = sets;
      this.first = false;
      counts = new long[(sets + 1) * BINS];
      genuine = null;
      genuineCount = null;
      this.wanted = List.copyOf(wanted);
      found = new Keys[wanted.size()];
      for (int w = 0; w < found.length; w++) {
        found[w] = new Keys();
      }
    }

    /** Per class and fast-score bin: bit 1 where "all" wants it, bit 2 where the class's group does; per set, the want of a bin. */
    private void prepareMarks() {
      if (marks != null) {
        return;
      }
      wantOf = new int[sets][];
      for (int w = 0; w < wanted.size(); w++) {
        Want want = wanted.get(w);
        if (wantOf[want.set()] == null) {
          wantOf[want.set()] = new int[BINS];
          Arrays.fill(wantOf[want.set()], -1);
        }
        Arrays.fill(wantOf[want.set()], want.binLo(), want.binHi() + 1, w);
      }
      marks = new byte[(sets + 1) * BINS];
      for (int c = 0; c < sets; c++) {
        for (int b = 0; b < BINS; b++) {
          int m = (wantOf[0] != null && wantOf[0][b] >= 0 ? 1 : 0) | (c > 0 && wantOf[c] != null && wantOf[c][b] >= 0 ? 2 : 0);
          marks[c * BINS + b] = (byte) m;
        }
      }
    }

    /** Scores the block's pairs with {@code product} and counts them. */
    public void count(Input in, Block b, BlockProduct product) {
      sorted = false;
      int d = in.d();
      float[] x = readFinite(in, b.i0(), b.i1());
      float[] y = b.j0() == b.i0() ? x : readFinite(in, b.j0(), b.j1());
      int bx = b.i1() - b.i0();
      int by = b.j1() - b.j0();
      double eb = product.bound(d, maxNorm(x, bx, d) * maxNorm(y, by, d));
      boolean exact = eb == 0;
      float[] s = product.scores(x, bx, y, by, d);
      long[] labels = in.labels();
      int[] table = in.classes();
      int codes = 2 * sets;
      int[] code = new int[by];
      for (int j = 0; j < by; j++) {
        code[j] = in.code(b.j0() + j);
      }
      long[] counts = this.counts;
      if (first) {
        eps = Math.max(eps, eb);
        for (int i = b.i0(); i < b.i1(); i++) {
          long li = labels[i];
          int row = in.code(i) * codes;
          int xi = i - b.i0();
          int from = Math.max(i + 1, b.j0());
          for (int j = from; j < b.j1(); j++) {
            int jj = j - b.j0();
            int c = table[row + code[jj]];
            if (labels[j] != li) {
              counts[c * BINS + bin(key(s[xi * by + jj]))]++;
            } else if (c < sets) {
              addGenuine(c, key(exact ? s[xi * by + jj] : BlockProduct.canonical(x, xi * d, y, jj * d, d)));
            }
          }
        }
      } else {
        prepareMarks();
        byte[] marks = this.marks;
        for (int i = b.i0(); i < b.i1(); i++) {
          long li = labels[i];
          int row = in.code(i) * codes;
          int xi = i - b.i0();
          for (int j = Math.max(i + 1, b.j0()); j < b.j1(); j++) {
            int jj = j - b.j0();
            int c = table[row + code[jj]];
            if (labels[j] == li) {
              continue;
            }
            int bin = bin(key(s[xi * by + jj]));
            counts[c * BINS + bin]++;
            int m = marks[c * BINS + bin];
            if (m != 0) {
              int k = key(exact ? s[xi * by + jj] : BlockProduct.canonical(x, xi * d, y, jj * d, d));
              if ((m & 1) != 0) {
                found[wantOf[0][bin]].add(k);
              }
              if ((m & 2) != 0) {
                found[wantOf[c][bin]].add(k);
              }
            }
          }
        }
      }
    }

    private void addGenuine(int c, int key) {
      if (genuineCount[c] == genuine[c].length) {
        genuine[c] = Arrays.copyOf(genuine[c], genuine[c].length * 2);
      }
      genuine[c][genuineCount[c]++] = key;
    }

    /** Trims each class's genuine keys to their count and sorts them, once (a tally no longer added to). */
    void sortGenuine() {
      if (sorted) {
        return;
      }
      for (int c = 0; c < sets; c++) {
        genuine[c] = Arrays.copyOf(genuine[c], genuineCount[c]);
        Arrays.sort(genuine[c]);
      }
      sorted = true;
    }

    /** Adds another tally of the same pass. */
    public void add(Tally o) {
      sorted = false;
      for (int k = 0; k < counts.length; k++) {
        counts[k] += o.counts[k];
      }
      if (first) {
        for (int c = 0; c < sets; c++) {
          for (int k = 0; k < o.genuineCount[c]; k++) {
            addGenuine(c, o.genuine[c][k]);
          }
        }
        eps = Math.max(eps, o.eps);
      } else {
        for (int w = 0; w < found.length; w++) {
          found[w].addAll(o.found[w]);
        }
      }
    }
  }

  /** The canonical keys a later pass kept, as they fell. */
  static final class Keys implements Serializable {
    private static final long serialVersionUID = 1L;
    int[] v = new int[16];
    int n;

    void add(int key) {
      if (n == v.length) {
        v = Arrays.copyOf(v, n * 2);
      }
      v[n++] = key;
    }

    void addAll(Keys o) {
      if (n + o.n > v.length) {
        v = Arrays.copyOf(v, Math.max(v.length * 2, n + o.n));
      }
      System.arraycopy(o.v, 0, v, n, o.n);
      n += o.n;
    }

    int[] sorted() {
      int[] s = Arrays.copyOf(v, n);
      Arrays.sort(s);
      return s;
    }
  }

  /** What the later passes rescored: per set, its ranges of fast-score bins with their impostors' canonical keys, sorted. */
  public static final class Counted {
    private final Map<Integer, List<Range>> ranges = new HashMap<>();

    /** Adds a later pass's tally (every block of it added). */
    public void add(Tally later) {
      for (int w = 0; w < later.wanted.size(); w++) {
        Want want = later.wanted.get(w);
        long above = 0;
        for (int c = 0; c < later.sets; c++) {
          if (want.set() == 0 || c == want.set()) {
            for (int b = want.binHi() + 1; b < BINS; b++) {
              above += later.counts[c * BINS + b];
            }
          }
        }
        ranges.computeIfAbsent(want.set(), s -> new ArrayList<>()).add(new Range(want.binLo(), want.binHi(), above,
            later.found[w].sorted()));
      }
    }

    List<Range> of(int set) {
      return ranges.getOrDefault(set, List.of());
    }
  }

  /**
   * Fast-score bins [lo, hi] rescored in one pass: how many impostors that pass put above them, and
   * the canonical keys of those it put in them, ascending.
   */
  record Range(int lo, int hi, long above, int[] keys) {}

  /** A range of canonical keys [lo, hi] a resolution needs every impostor of; {@code grow}: worth widening upward. */
  private static final class Need extends RuntimeException {
    final int lo;
    final int hi;
    final boolean grow;

    Need(int lo, int hi, boolean grow) {
      super(null, null, false, false);
      this.lo = lo;
      this.hi = hi;
      this.grow = grow;
    }
  }

  private static float[] readFinite(Input in, int from, int to) {
    int d = in.d();
    float[] rows = new float[(to - from) * d];
    in.rows().read(from, to - from, rows);
    for (int r = 0; r < to - from; r++) {
      double sq = 0;
      for (int k = r * d; k < (r + 1) * d; k++) {
        if (!Float.isFinite(rows[k])) {
          throw new UserInputException(in.rows().source() + "@row=" + (from + r), "holds a value that is not a finite number");
        }
        sq += (double) rows[k] * rows[k];
      }
      if (sq >= MAX_NORM_SQUARED) {
        throw new UserInputException(in.rows().source() + "@row=" + (from + r), "has a norm of " + Math.sqrt(sq)
            + ": its scores could overflow float32");
      }
    }
    return rows;
  }

  private static double maxNorm(float[] rows, int n, int d) {
    double max = 0;
    for (int r = 0; r < n; r++) {
      double sq = 0;
      for (int k = r * d; k < (r + 1) * d; k++) {
        sq += (double) rows[k] * rows[k];
      }
      max = Math.max(max, sq);
    }
    return Math.sqrt(max) * (1 + 1e-12);
  }

  /** A score as an int whose signed order is the scores' order; -0.0 is 0.0 (np.diff sees them as one score). */
  static int key(float s) {
    int bits = Float.floatToRawIntBits(s == 0f ? 0f : s);
    return bits ^ ((bits >> 31) & 0x7fffffff);
  }

  static float score(int key) {
    return Float.intBitsToFloat(key ^ ((key >> 31) & 0x7fffffff));
  }

  static int bin(int key) {
    return (key >> 16) + (BINS / 2);
  }

  private static int keyOf(int bin, int low) {
    return ((bin - BINS / 2) << 16) | low;
  }

  /** The lowest score of a bin (a finite bin: LOWEST_BIN &lt; bin ≤ HIGHEST_BIN). */
  private static double edge(int bin) {
    return score(keyOf(bin, 0));
  }

  /** The smallest float ≥ x, the largest ≤ x, the largest &lt; x (x within float range). */
  private static float up(double x) {
    float f = (float) x;
    return f < x ? Math.nextUp(f) : f;
  }

  private static float down(double x) {
    float f = (float) x;
    return f > x ? Math.nextDown(f) : f;
  }

  private static float below(double x) {
    float f = (float) x;
    return f >= x ? Math.nextDown(f) : f;
  }

  private static double clamp(double x) {
    return Math.max(-Float.MAX_VALUE, Math.min(Float.MAX_VALUE, x));
  }

  /** One set's numbers as the resolution reads them. */
  private static final class Counts {
    final int[] genuine;
    final int genuineCount;
    final long impostors;
    /** Impostors whose fast score lies in bin ≥ b. */
    final long[] fromBin;
    final double eps;
    final List<Range> ranges;
    final int set;

    Counts(Tally first, int set, Counted counted) {
      this.set = set;
      this.eps = first.eps;
      long[] level1 = new long[BINS];
      List<int[]> gen = new ArrayList<>();
      for (int c = 0; c < first.sets; c++) {
        if (set == 0 || c == set) {
          for (int b = 0; b < BINS; b++) {
            level1[b] += first.counts[c * BINS + b];
          }
          gen.add(first.genuine[c]);
        }
      }
      genuine = gen.size() == 1 ? gen.get(0) : gen.stream().flatMapToInt(Arrays::stream).sorted().toArray();
      genuineCount = genuine.length;
      fromBin = new long[BINS + 1];
      for (int b = BINS - 1; b >= 0; b--) {
        fromBin[b] = fromBin[b + 1] + level1[b];
      }
      impostors = fromBin[0];
      ranges = counted.of(set);
    }

    /** The lowest canonical key every impostor of which a range's bins hold. */
    int lowValid(Range r) {
      return r.lo() <= LOWEST_BIN ? Integer.MIN_VALUE : key(up(edge(r.lo()) + eps));
    }

    /** The highest canonical key every impostor of which a range's bins hold. */
    int highValid(Range r) {
      return r.hi() >= HIGHEST_BIN ? Integer.MAX_VALUE : key(below(edge(r.hi() + 1) - eps));
    }

    /** The range covering canonical keys [lo, hi] that reaches highest, or the need of one. */
    private Range covering(int lo, int hi, boolean grow) {
      Range best = null;
      for (Range r : ranges) {
        if (lowValid(r) <= lo && hi <= highValid(r) && (best == null || highValid(r) > highValid(best))) {
          best = r;
        }
      }
      if (best == null) {
        throw new Need(lo, hi, grow);
      }
      return best;
    }

    /** The bins to rescore so that a range covers canonical keys [n.lo, n.hi]. */
    Want want(Need n) {
      int lo = n.lo == Integer.MIN_VALUE ? LOWEST_BIN : Math.max(LOWEST_BIN, bin(key(down(clamp(score(n.lo) - eps)))));
      int hi = n.hi == Integer.MAX_VALUE ? HIGHEST_BIN : Math.min(HIGHEST_BIN, bin(key(up(clamp(score(n.hi) + eps)))));
      while (lo > LOWEST_BIN && lowValid(new Range(lo, hi, 0, null)) > n.lo) {
        lo--;
      }
      while (hi < HIGHEST_BIN && highValid(new Range(lo, hi, 0, null)) < n.hi) {
        hi++;
      }
      if (n.grow) { // up to the first genuine score above, while that takes few impostors more
        int stop = Math.min(HIGHEST_BIN, genuineBinAbove(n.hi) + 1);
        long extra = 0;
        while (hi < stop && extra + (fromBin[hi + 1] - fromBin[hi + 2]) <= HEADROOM) {
          extra += fromBin[hi + 1] - fromBin[hi + 2];
          hi++;
        }
      }
      return new Want(set, lo, hi);
    }

    /** The fast-score bin of the lowest genuine score above {@code key}, or the top bin when none is. */
    int genuineBinAbove(int key) {
      int next = firstAbove(genuine, key);
      return next < genuineCount ? bin(genuine[next]) : HIGHEST_BIN;
    }

    /** Impostors with a canonical key ≥ this one. */
    long impostorsFrom(int key) {
      Range r = covering(key, key, false);
      return r.above() + (r.keys().length - firstAtOrAbove(r.keys(), key));
    }

    /** Impostors with exactly this key. */
    long impostorsAt(int key) {
      if (key == Integer.MAX_VALUE) {
        return impostorsFrom(key);
      }
      Range r = covering(key, key + 1, false);
      return firstAtOrAbove(r.keys(), key + 1) - firstAtOrAbove(r.keys(), key);
    }

    long genuineAt(int key) {
      return genuineFrom(key) - (key == Integer.MAX_VALUE ? 0 : genuineFrom(key + 1));
    }

    /** Genuine pairs with a key ≥ this one. */
    long genuineFrom(int key) {
      return genuineCount - firstAtOrAbove(genuine, key);
    }

    /** The (r)-th highest impostor key, r from 1. */
    int impostorRanked(long r) {
      int b = HIGHEST_BIN;
      while (fromBin[b] < r) {
        b--;
      }
      // The r-th highest fast score lies in bin b, so the r-th highest canonical one within ε of it.
      int lo = b <= LOWEST_BIN ? Integer.MIN_VALUE : key(down(clamp(edge(b) - eps)));
      int hi = b >= HIGHEST_BIN ? Integer.MAX_VALUE : key(up(clamp(edge(b + 1) + eps)));
      Range range = covering(lo, hi, true);
      // Above the range's valid keys: the impostors of higher bins and those of its own above highValid.
      int[] keys = range.keys();
      int valid = firstAbove(keys, highValid(range));
      long q = r - range.above() - (keys.length - valid);
      if (q < 1 || q > valid || keys[valid - (int) q] < lowValid(range)) {
        throw new IllegalStateException("rank " + r + " fell outside its rescored range: the product broke its bound");
      }
      return keys[valid - (int) q];
    }

    /** The smallest impostor key above {@code key}, or null when none is. */
    Integer impostorAbove(int key) {
      Range r = covering(key, key, true);
      int[] keys = r.keys();
      int next = firstAbove(keys, key);
      if (next < keys.length && keys[next] <= highValid(r)) {
        return keys[next];
      }
      if (r.above() == 0) {
        return next < keys.length ? keys[next] : null;
      }
      // The first bin above the range with an impostor in the first pass (the rescoring pass put one above it too).
      int b = r.hi() + 1;
      while (b < HIGHEST_BIN && fromBin[b] == fromBin[b + 1]) {
        b++;
      }
      throw new Need(key, b >= HIGHEST_BIN ? Integer.MAX_VALUE : key(up(clamp(edge(b + 1) + eps))), false);
    }

    /** The smallest score (genuine or impostor) above {@code key}, or null when none is. */
    Integer above(int key) {
      if (key == Integer.MAX_VALUE) {
        return null;
      }
      Integer imp = impostors == 0 ? null : impostorAbove(key);
      int next = firstAbove(genuine, key);
      Integer gen = next < genuineCount ? genuine[next] : null;
      if (imp == null) {
        return gen;
      }
      return gen == null ? imp : Math.min(imp, gen);
    }

    /** The smallest score of the set (roc_curve's last vertex). */
    int lowest() {
      int lo = genuineCount > 0 ? genuine[0] : Integer.MAX_VALUE;
      if (impostors == 0) {
        return lo;
      }
      int b = 0;
      while (fromBin[b + 1] == impostors) {
        b++;
      }
      Range r = covering(Integer.MIN_VALUE, b >= HIGHEST_BIN ? Integer.MAX_VALUE : key(up(clamp(edge(b + 1) + eps))), false);
      return Math.min(lo, r.keys()[0]);
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

    /**
     * The equal error rate: where the ROC's polyline meets FNMR = FAR (docs/allpairs.md), or null
     * without genuine or impostor pairs. The vertex t is the highest score whose counts reach
     * FAR + TAR ≥ 1; the crossing lies on the segment from the vertex above it (the counts &gt; t).
     */
    Eer eer() {
      if (genuineCount == 0 || impostors == 0) {
        return null;
      }
      // On fast-score bins first: the highest bin whose lower edge reaches FAR + TAR ≥ 1.
      int b = HIGHEST_BIN;
      while (b > LOWEST_BIN && !reaches(fromBin[b], genuineFrom(key((float) edge(b))))) {
        b--;
      }
      int lo = b <= LOWEST_BIN ? Integer.MIN_VALUE : key(down(clamp(edge(b) - eps)));
      int hi = b >= HIGHEST_BIN ? Integer.MAX_VALUE : key(up(clamp(edge(b + 1) + eps)));
      Range r = covering(lo, hi, false);
      // The distinct scores in [lo, hi]: the rescored impostors' and the genuine ones.
      int[] keys = r.keys();
      int[] candidates = java.util.stream.IntStream.concat(
          Arrays.stream(keys, firstAtOrAbove(keys, lo), firstAbove(keys, hi)),
          Arrays.stream(genuine, firstAtOrAbove(genuine, lo), firstAbove(genuine, hi))).sorted().distinct().toArray();
      int t = Integer.MIN_VALUE;
      int a = 0;
      int z = candidates.length - 1;
      while (a <= z) { // the highest candidate that reaches
        int m = (a + z) >>> 1;
        if (reaches(impostorsFrom(candidates[m]), genuineFrom(candidates[m]))) {
          t = candidates[m];
          a = m + 1;
        } else {
          z = m - 1;
        }
      }
      if (t == Integer.MIN_VALUE) {
        throw new IllegalStateException("no equal-error vertex in its rescored range: the product broke its bound");
      }
      double ni = impostors;
      double ng = genuineCount;
      double f0 = impostorsFrom(t) / ni;
      double t0 = genuineFrom(t) / ng;
      double f1 = t == Integer.MAX_VALUE ? 0 : impostorsFrom(t + 1) / ni;
      double t1 = t == Integer.MAX_VALUE ? 0 : genuineFrom(t + 1) / ng;
      double lambda = (1 - f1 - t1) / ((f0 - f1) + (t0 - t1));
      return new Eer(f1 + lambda * (f0 - f1), score(t));
    }

    /** FAR + TAR ≥ 1 for these counts, exactly: i·Ng + g·Ni ≥ Ni·Ng. */
    private boolean reaches(long i, long g) {
      BigInteger ni = BigInteger.valueOf(impostors);
      BigInteger ng = BigInteger.valueOf(genuineCount);
      return BigInteger.valueOf(i).multiply(ng).add(BigInteger.valueOf(g).multiply(ni)).compareTo(ni.multiply(ng)) >= 0;
    }
  }

  /** The first index whose key is ≥ {@code key} (sorted keys). */
  static int firstAtOrAbove(int[] sorted, int key) {
    int a = 0;
    int z = sorted.length;
    while (a < z) {
      int m = (a + z) >>> 1;
      if (sorted[m] < key) {
        a = m + 1;
      } else {
        z = m;
      }
    }
    return a;
  }

  /** The first index whose key is &gt; {@code key}. */
  static int firstAbove(int[] sorted, int key) {
    return key == Integer.MAX_VALUE ? sorted.length : firstAtOrAbove(sorted, key + 1);
  }
}
