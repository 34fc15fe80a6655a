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
    final Found[] found;
    private transient byte[] marks;
    private transient int[][] wantOf;
    /** The rows of the block being counted, reused from block to block (a worker counts a bundle's blocks one by one). */
    private transient float[] xRows;
    private transient float[] yRows;
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
      found = new Found[wanted.size()];
      for (int w = 0; w < found.length; w++) {
        found[w] = new Found();
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
      double[] norm = new double[1];
      xRows = readFinite(in, b.i0(), b.i1(), norm, xRows);
      float[] x = xRows;
      double nx = norm[0];
      if (b.j0() != b.i0()) {
        yRows = readFinite(in, b.j0(), b.j1(), norm, yRows);
      }
      float[] y = b.j0() == b.i0() ? x : yRows;
      int bx = b.i1() - b.i0();
      int by = b.j1() - b.j0();
      double eb = product.bound(d, nx * norm[0]);
      float[] s = product.scores(x, bx, y, by, d);
      int[] table = in.classes();
      int codes = 2 * sets;
      int[] code = new int[by];
      long[] labelJ = new long[by];
      for (int j = 0; j < by; j++) {
        code[j] = in.code(b.j0() + j);
        labelJ[j] = in.labels()[b.j0() + j];
      }
      int[] offset = new int[codes]; // a row's class offsets by the other row's code
      if (first) {
        eps = Math.max(eps, eb);
      } else {
        prepareMarks();
      }
      for (int i = b.i0(); i < b.i1(); i++) {
        int row = in.code(i) * codes;
        for (int k = 0; k < codes; k++) {
          offset[k] = table[row + k] * BINS;
        }
        int xi = i - b.i0();
        int from = Math.max(i + 1, b.j0()) - b.j0();
        if (first) {
          countRow(s, xi * by, from, by, in.labels()[i], labelJ, code, offset, x, y, xi, d, eb == 0);
        } else {
          rescoreRow(s, xi * by, from, by, in.labels()[i], labelJ, code, offset, x, y, xi, d, eb == 0);
        }
      }
    }

    /** The first pass over one row of a block: impostors counted by fast-score bin, genuine pairs' canonical keys kept. */
    private void countRow(float[] s, int at, int from, int by, long label, long[] labelJ, int[] code, int[] offset, float[] x, float[] y,
        int xi, int d, boolean exact) {
      long[] counts = this.counts;
      for (int jj = from; jj < by; jj++) {
        int o = offset[code[jj]];
        if (labelJ[jj] != label) {
          counts[o + bin(key(s[at + jj]))]++;
        } else if (o < sets * BINS) {
          addGenuine(o / BINS, key(exact ? s[at + jj] : BlockProduct.canonical(x, xi * d, y, jj * d, d)));
        }
      }
    }

    /** A later pass over one row: impostors counted again, those in wanted bins rescored and kept. */
    private void rescoreRow(float[] s, int at, int from, int by, long label, long[] labelJ, int[] code, int[] offset, float[] x,
        float[] y, int xi, int d, boolean exact) {
      long[] counts = this.counts;
      byte[] marks = this.marks;
      for (int jj = from; jj < by; jj++) {
        if (labelJ[jj] == label) {
          continue;
        }
        int o = offset[code[jj]];
        int bin = bin(key(s[at + jj]));
        counts[o + bin]++;
        int m = marks[o + bin];
        if (m != 0) {
          int k = key(exact ? s[at + jj] : BlockProduct.canonical(x, xi * d, y, jj * d, d));
          if ((m & 1) != 0) {
            found[wantOf[0][bin]].add(k);
          }
          if ((m & 2) != 0) {
            found[wantOf[o / BINS][bin]].add(k);
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

  /**
   * The canonical keys a later pass kept for one want, per canonical bin: their low 16 bits as they
   * fell while few, then 65,536 counts — so memory stays bounded by the bins, not by the pairs.
   */
  static final class Found implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final int DENSE_FROM = 16_384;
    final HashMap<Integer, int[]> dense = new HashMap<>();
    final HashMap<Integer, int[]> sparse = new HashMap<>();
    final HashMap<Integer, Integer> sparseCount = new HashMap<>();

    void add(int key) {
      add(bin(key), key & 0xffff, 1);
    }

    private void add(int bin, int low, int times) {
      int[] d = dense.get(bin);
      if (d != null) {
        d[low] = Math.addExact(d[low], times);
        return;
      }
      int[] v = sparse.get(bin);
      int n = sparseCount.getOrDefault(bin, 0);
      if (v == null) {
        v = new int[16];
      } else if (n == v.length) {
        v = Arrays.copyOf(v, n * 2);
      }
      for (int t = 0; t < times; t++) {
        if (n == v.length) {
          v = Arrays.copyOf(v, n * 2);
        }
        v[n++] = low;
      }
      if (n > DENSE_FROM) {
        int[] c = new int[BINS];
        for (int i = 0; i < n; i++) {
          c[v[i]]++;
        }
        dense.put(bin, c);
        sparse.remove(bin);
        sparseCount.remove(bin);
      } else {
        sparse.put(bin, v);
        sparseCount.put(bin, n);
      }
    }

    void addAll(Found o) {
      o.dense.forEach((bin, c) -> {
        int[] mine = dense.get(bin);
        if (mine == null) {
          mine = new int[BINS];
          int[] v = sparse.remove(bin);
          int n = sparseCount.getOrDefault(bin, 0);
          sparseCount.remove(bin);
          for (int i = 0; i < n; i++) {
            mine[v[i]]++;
          }
          dense.put(bin, mine);
        }
        for (int l = 0; l < BINS; l++) {
          mine[l] = Math.addExact(mine[l], c[l]);
        }
      });
      o.sparse.forEach((bin, v) -> {
        int n = o.sparseCount.get(bin);
        for (int i = 0; i < n; i++) {
          add(bin, v[i], 1);
        }
      });
    }

    /** Every bin, by canonical bin: as 65,536 counts or as its sorted low 16 bits. */
    java.util.TreeMap<Integer, KeptBin> bins() {
      java.util.TreeMap<Integer, KeptBin> out = new java.util.TreeMap<>();
      dense.forEach((bin, c) -> out.put(bin, new KeptBin(c, null)));
      sparse.forEach((bin, v) -> {
        int[] lows = Arrays.copyOf(v, sparseCount.get(bin));
        Arrays.sort(lows);
        out.put(bin, new KeptBin(null, lows));
      });
      return out;
    }
  }

  /** One canonical bin's kept keys: 65,536 counts, or the sorted low 16 bits (duplicates kept). */
  record KeptBin(int[] counts, int[] lows) {
    long total() {
      if (lows != null) {
        return lows.length;
      }
      long t = 0;
      for (int v : counts) {
        t += v;
      }
      return t;
    }

    /** Keys with a low part ≥ {@code low}. */
    long from(int low) {
      if (lows != null) {
        return lows.length - firstAtOrAbove(lows, low);
      }
      long n = 0;
      for (int l = low; l < BINS; l++) {
        n += counts[l];
      }
      return n;
    }

    /** The smallest low part ≥ {@code low}, or -1. */
    int atOrAbove(int low) {
      if (lows != null) {
        int i = firstAtOrAbove(lows, low);
        return i < lows.length ? lows[i] : -1;
      }
      for (int l = low; l < BINS; l++) {
        if (counts[l] > 0) {
          return l;
        }
      }
      return -1;
    }

    /** Going down from {@code low}: the low part where {@code seen} plus the keys passed reaches q, or -1 (with seen[0] updated). */
    int downTo(int low, long q, long[] seen) {
      if (lows != null) {
        int end = firstAtOrAbove(lows, low + 1); // lows[0 .. end) are ≤ low
        if (seen[0] + end >= q) {
          return lows[(int) (end - (q - seen[0]))];
        }
        seen[0] += end;
        return -1;
      }
      for (int l = low; l >= 0; l--) {
        seen[0] += counts[l];
        if (seen[0] >= q) {
          return l;
        }
      }
      return -1;
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
            new Kept(later.found[w].bins())));
      }
    }

    List<Range> of(int set) {
      return ranges.getOrDefault(set, List.of());
    }
  }

  /**
   * Fast-score bins [lo, hi] rescored in one pass: how many impostors that pass put above them, and
   * the canonical keys of those it put in them.
   */
  record Range(int lo, int hi, long above, Kept keys) {}

  /** Canonical keys kept per canonical bin, and what a resolution asks of them. */
  static final class Kept {
    private final java.util.TreeMap<Integer, KeptBin> bins;
    private final java.util.TreeMap<Integer, Long> totals = new java.util.TreeMap<>();

    Kept(java.util.TreeMap<Integer, KeptBin> bins) {
      this.bins = bins;
      bins.forEach((b, c) -> totals.put(b, c.total()));
    }

    /** Keys ≥ {@code key}. */
    long from(int key) {
      long n = 0;
      for (long t : totals.tailMap(bin(key), false).values()) {
        n += t;
      }
      KeptBin c = bins.get(bin(key));
      return c == null ? n : n + c.from(key & 0xffff);
    }

    /** The smallest key &gt; {@code key}, or null. */
    Integer next(int key) {
      return key == Integer.MAX_VALUE ? null : atOrAbove(key + 1);
    }

    private Integer atOrAbove(int k) {
      for (Map.Entry<Integer, KeptBin> e : bins.tailMap(bin(k), true).entrySet()) {
        int low = e.getValue().atOrAbove(e.getKey() == bin(k) ? k & 0xffff : 0);
        if (low >= 0) {
          return keyOf(e.getKey(), low);
        }
      }
      return null;
    }

    /** The q-th highest key (q from 1) among those ≤ {@code max}, or null when fewer are. */
    Integer ranked(long q, int max) {
      long[] seen = {0};
      for (Map.Entry<Integer, KeptBin> e : bins.headMap(bin(max), true).descendingMap().entrySet()) {
        int low = e.getValue().downTo(e.getKey() == bin(max) ? max & 0xffff : BINS - 1, q, seen);
        if (low >= 0) {
          return keyOf(e.getKey(), low);
        }
      }
      return null;
    }

    /** The smallest key, or null. */
    Integer min() {
      return atOrAbove(Integer.MIN_VALUE);
    }
  }

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

  /** The rows, checked finite and not too large; {@code norm[0]}: the largest Euclidean norm among them (rounded up). */
  private static float[] readFinite(Input in, int from, int to, double[] norm, float[] reuse) {
    int d = in.d();
    float[] rows = reuse != null && reuse.length >= (to - from) * d ? reuse : new float[(to - from) * d];
    in.rows().read(from, to - from, rows);
    double max = 0;
    for (int r = 0; r < to - from; r++) {
      double sq = 0;
      for (int k = r * d; k < (r + 1) * d; k++) {
        if (!Float.isFinite(rows[k])) {
          throw new UserInputException(in.rows().source() + "@row=" + (from + r), "holds a value that is not a finite number");
        }
        sq += (double) rows[k] * rows[k];
      }
      if (sq >= MAX_NORM_SQUARED) {
        throw new UserInputException(in.rows().source() + "@row=" + (from + r), "has a norm of " + String.format(java.util.Locale.ROOT, "%.3g", Math.sqrt(sq))
            + ": its scores could overflow float32");
      }
      max = Math.max(max, sq);
    }
    norm[0] = Math.sqrt(max) * (1 + 1e-12);
    return rows;
  }

  /** A score as an int whose signed order is the scores' order; -0.0 is 0.0 (np.diff sees them as one score). */
  static int key(float s) {
    int bits = Float.floatToRawIntBits(s + 0f); // -0.0 + 0.0 is 0.0; any other score is itself
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
      return r.above() + r.keys().from(key);
    }

    /** Impostors with exactly this key. */
    long impostorsAt(int key) {
      if (key == Integer.MAX_VALUE) {
        return impostorsFrom(key);
      }
      Range r = covering(key, key + 1, false);
      return r.keys().from(key) - r.keys().from(key + 1);
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
      int high = highValid(range);
      long q = r - range.above() - (high == Integer.MAX_VALUE ? 0 : range.keys().from(high + 1));
      Integer k = q < 1 ? null : range.keys().ranked(q, high);
      if (k == null || k < lowValid(range)) {
        throw new IllegalStateException("rank " + r + " fell outside its rescored range: the product broke its bound");
      }
      return k;
    }

    /** The smallest impostor key above {@code key}, or null when none is. */
    Integer impostorAbove(int key) {
      Range r = covering(key, key, true);
      Integer next = r.keys().next(key);
      if (next != null && next <= highValid(r)) {
        return next;
      }
      if (r.above() == 0) {
        return next;
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
      return Math.min(lo, r.keys().min());
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
      covering(lo, hi, false);
      // The highest key in [lo, hi] that reaches: the counts change only at scores, so it is one.
      int t = Integer.MIN_VALUE;
      boolean found = false;
      long a = lo;
      long z = hi;
      while (a <= z) {
        int m = (int) ((a + z) >> 1);
        if (reaches(impostorsFrom(m), genuineFrom(m))) {
          t = m;
          found = true;
          a = m + 1L;
        } else {
          z = m - 1L;
        }
      }
      if (!found) {
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
