package dev.facebeam.metrics;

import java.io.Serializable;

/**
 * What survives of the probe × distractor score matrix, per distractor-set size: each probe's top-K
 * distractor scores, the highest impostor scores needed for TAR@FAR, and how many distractors
 * counted; plus what reading saw (distractors read, noisy ones dropped, missing files skipped).
 * Blocks of scores come from {@link QuantizedProduct} (an 8-bit filter whose every candidate is
 * rescored with the canonical float32 kernel) or as float32 scores; accumulators merge, so the
 * 3530 × 10^6 matrix is never held.
 */
public final class DistractorScores implements Serializable {
  private final int[] sizes;
  private final TopScores[][] top; // [size][probe]
  private final TopScores[] impostors; // [size]
  private final long[] distractors; // [size]
  private long read;
  private long noisyDropped;
  private long missing;
  /** Pairs the 8-bit filter could not decide and the canonical kernel rescored (not merged: a worker's measure). */
  private transient long candidates;

  public DistractorScores(int[] sizes, int probes, int k, int[] impostorKeep) {
    this.sizes = sizes.clone();
    this.top = new TopScores[sizes.length][probes];
    this.impostors = new TopScores[sizes.length];
    this.distractors = new long[sizes.length];
    for (int s = 0; s < sizes.length; s++) {
      for (int p = 0; p < probes; p++) {
        top[s][p] = new TopScores(k);
      }
      impostors[s] = new TopScores(Math.max(1, impostorKeep[s]));
    }
  }

  /**
   * Keeps the top of one block's scores: {@code scores} is probes × b, row-major (each probe's
   * scores contiguous); {@code listIndex[j]} is distractor j's 0-based position in the list, which
   * decides the sizes it belongs to (size N = the first N distractors).
   */
  public void add(float[] scores, int probes, long[] listIndex, int b) {
    for (int s = 0; s < sizes.length; s++) {
      int inSize = 0;
      for (int j = 0; j < b; j++) {
        inSize += listIndex[j] < sizes[s] ? 1 : 0;
      }
      if (inSize == 0) {
        continue;
      }
      distractors[s] += inSize;
      boolean all = inSize == b;
      long limit = sizes[s];
      TopScores imp = impostors[s];
      float impFloor = imp.floor();
      for (int i = 0; i < probes; i++) {
        TopScores t = top[s][i];
        float floor = t.floor();
        int row = i * b;
        // Almost every score loses to both floors; only winners touch a heap.
        for (int j = 0; j < b; j++) {
          float score = scores[row + j];
          if ((score > floor || score > impFloor) && (all || listIndex[j] < limit)) {
            if (score > floor) {
              t.offer(score);
              floor = t.floor();
            }
            if (score > impFloor) {
              imp.offer(score);
              impFloor = imp.floor();
            }
          }
        }
      }
    }
  }

  /** Rows per 8-bit product: their int32 scores (1.8 MB against 3,530 probes) are scanned while they are still in cache. */
  static final int PRODUCT_ROWS = 128;
  /** Probes per integer pre-check: a slice whose scores all stay at or below their thresholds is not looked at again. */
  private static final int SLICE = 128;
  /** Integer thresholds stay within ±2³⁰: no int32 score (|s| ≤ 127 · 127 · d < 2²⁴ at d ≤ 1,000) minus one overflows. */
  private static final int LOWEST = -(1 << 30);
  private static final int HIGHEST = 1 << 30;

  /**
   * Keeps the top of one block scored by the 8-bit filter: {@code block} is b × d, the distractors'
   * float rows. Its rows are quantized and ordered by scale, and scored a few at a time, so that each
   * product's rows share almost one scale. A pair is rescored with {@link BlockProduct#canonical} when
   * its approximate score, raised by the filter's bound, beats the lowest floor it could enter (its
   * probe's top-K or the impostors', in any size it belongs to); every other pair's canonical score is
   * below that floor, so what is kept is exactly what offering every canonical score would keep.
   * The scan first compares the int32 scores with one integer threshold per probe for all the rows
   * of a product (looser than each row's own: see {@link #integerThreshold}), then, in a slice where
   * some score passes, each score with its row's float threshold.
   */
  public void add(QuantizedProduct product, float[] block, long[] listIndex, int b, Floors known) {
    float[] probes = product.probeRows();
    int p = product.probes();
    int d = product.dimension();
    int stride = product.stride();
    boolean[] relevant = new boolean[sizes.length];
    for (int s = 0; s < sizes.length; s++) {
      int inSize = 0;
      for (int j = 0; j < b; j++) {
        inSize += listIndex[j] < sizes[s] ? 1 : 0;
      }
      distractors[s] += inSize;
      relevant[s] = inSize > 0;
    }
    float[] scale = new float[p];
    for (int i = 0; i < p; i++) {
      scale[i] = product.probeScale(i);
    }
    float[] low = new float[p];
    float[] threshold = new float[p];
    int[] integer = new int[p];
    int[] row = new int[p];
    int[] hits = new int[SLICE];
    float[] pair = new float[2];
    // Beyond about 33,000 dimensions an int32 score minus a threshold could overflow: every slice is then looked at.
    boolean precheck = 127L * 127 * d < (1L << 29);
    product.load(block, b);
    for (int from = 0; from < b; from += PRODUCT_ROWS) {
      int n = Math.min(PRODUCT_ROWS, b - from);
      java.nio.IntBuffer dots = product.scores(from, n);
      float lowestScale = product.blockScale(product.row(from));
      float highestScale = product.blockScale(product.row(from + n - 1));
      lowestFloors(relevant, low, known); // floors only rise: thresholds a product old stay safe
      for (int i = 0; i < p; i++) { // less the product's bound, in integer-product units: one multiply per pair below
        threshold[i] = low[i] == Float.NEGATIVE_INFINITY ? low[i]
            : Math.nextDown(Math.nextDown((float) (low[i] - product.bound(i))) / scale[i]);
        integer[i] = integerThreshold(threshold[i], lowestScale, highestScale);
      }
      for (int r = 0; r < n; r++) {
        int j = product.row(from + r);
        float cj = product.blockScale(j);
        dots.get(r * stride, row); // one bulk copy per distractor: the loops below then run on plain arrays
        for (int s0 = 0; s0 < p; s0 += SLICE) {
          int s1 = Math.min(p, s0 + SLICE);
          int any = precheck ? 0 : -1;
          for (int i = s0; precheck && i < s1; i++) { // sign bit set where a score passes its integer threshold; runs on vectors
            any |= integer[i] - row[i];
          }
          if (any >= 0) {
            continue;
          }
          int hit = 0;
          for (int i = s0; i < s1; i++) { // branch-free: the probes this distractor may enter, listed
            hits[hit] = i;
            hit += row[i] * cj > threshold[i] ? 1 : 0;
          }
          int kept = 0;
          for (int h = 0; h < hit; h++) {
            int i = hits[h];
            // the pair's own bound, with this row's norms, may already say its canonical score stays below the floor
            if (low[i] == Float.NEGATIVE_INFINITY || (double) row[i] * cj * scale[i] + product.bound(i, j) >= low[i]) {
              hits[kept++] = i;
            }
          }
          int h = 0;
          for (; h + 2 <= kept; h += 2) { // two at a time: the same scores, in half the time
            BlockProduct.canonicalPair(probes, hits[h] * d, hits[h + 1] * d, block, j * d, d, pair, 0);
            offer(hits[h], listIndex[j], pair[0]);
            offer(hits[h + 1], listIndex[j], pair[1]);
          }
          if (h < kept) {
            offer(hits[h], listIndex[j], BlockProduct.canonical(probes, hits[h] * d, block, j * d, d));
          }
        }
      }
    }
  }

  /**
   * An integer T such that every int32 score s whose float test {@code s * c > threshold} holds for
   * some row scale c in [lowest, highest] has s > T: for s ≤ T, fl(s · c) ≤ fl(T · c) (rounding is
   * monotonic), and T · c over that range is largest at one of its ends, both checked after the
   * division. Clamped to ±2³⁰ (a score is far inside).
   */
  static int integerThreshold(float threshold, float lowest, float highest) {
    if (threshold == Float.NEGATIVE_INFINITY || (threshold < 0 && lowest == 0f)) {
      return LOWEST;
    }
    double t = Math.floor(threshold >= 0 ? threshold / (double) highest : threshold / (double) lowest);
    if (!(t < HIGHEST)) { // also a zero highest scale: no score passes
      return HIGHEST;
    }
    if (t < LOWEST) {
      return LOWEST;
    }
    int T = (int) t;
    while (T > LOWEST && ((float) T * highest > threshold || (float) T * lowest > threshold)) {
      T--;
    }
    return T;
  }

  private void offer(int i, long li, float exact) {
    candidates++;
    for (int s = 0; s < sizes.length; s++) {
      if (li < sizes[s]) {
        if (exact > top[s][i].floor()) {
          top[s][i].offer(exact);
        }
        if (exact > impostors[s].floor()) {
          impostors[s].offer(exact);
        }
      }
    }
  }

  /** Per probe: the lowest floor a score of this block could enter (−∞ while a list is not full). */
  private void lowestFloors(boolean[] relevant, float[] out, Floors known) {
    float impostorLow = Float.POSITIVE_INFINITY;
    for (int s = 0; s < sizes.length; s++) {
      if (relevant[s]) {
        impostorLow = Math.min(impostorLow, Math.max(impostors[s].floor(), known.impostors[s]));
      }
    }
    for (int i = 0; i < out.length; i++) {
      float low = impostorLow;
      for (int s = 0; s < sizes.length; s++) {
        if (relevant[s]) {
          low = Math.min(low, Math.max(top[s][i].floor(), known.top[s][i]));
        }
      }
      out[i] = low;
    }
  }

  /**
   * Floors a worker already knows the final lists will reach: the floors of the lists it filled in
   * earlier bundles (the merged lists hold those scores too, so theirs can only be higher). A score
   * below one cannot enter the final list, so a new bundle's empty lists need not take it.
   */
  public static final class Floors {
    final float[][] top;
    final float[] impostors;

    public Floors(int sizes, int probes) {
      top = new float[sizes][probes];
      impostors = new float[sizes];
      for (float[] t : top) {
        java.util.Arrays.fill(t, Float.NEGATIVE_INFINITY);
      }
      java.util.Arrays.fill(impostors, Float.NEGATIVE_INFINITY);
    }

    /** Raises these to the floors of a bundle's lists. */
    public void raise(DistractorScores done) {
      for (int s = 0; s < impostors.length; s++) {
        impostors[s] = Math.max(impostors[s], done.impostors[s].floor());
        for (int i = 0; i < top[s].length; i++) {
          top[s][i] = Math.max(top[s][i], done.top[s][i].floor());
        }
      }
    }
  }

  /** How many pairs this accumulator's 8-bit blocks rescored with the canonical kernel. */
  public long candidates() {
    return candidates;
  }

  /** Counts what reading saw: distractors read, noisy ones kept out, list entries whose file was missing. */
  public void countRead(long readNow, long noisyNow, long missingNow) {
    read += readNow;
    noisyDropped += noisyNow;
    missing += missingNow;
  }

  public DistractorScores merge(DistractorScores other) {
    for (int s = 0; s < sizes.length; s++) {
      distractors[s] += other.distractors[s];
      impostors[s].merge(other.impostors[s]);
      for (int i = 0; i < top[s].length; i++) {
        top[s][i].merge(other.top[s][i]);
      }
    }
    countRead(other.read, other.noisyDropped, other.missing);
    return this;
  }

  public int[] sizes() {
    return sizes.clone();
  }

  public long distractors(int sizeIndex) {
    return distractors[sizeIndex];
  }

  public long read() {
    return read;
  }

  public long noisyDropped() {
    return noisyDropped;
  }

  public long missing() {
    return missing;
  }

  /** Per probe, its top-K scores in this size, highest first. */
  public float[][] topPerProbe(int sizeIndex) {
    float[][] out = new float[top[sizeIndex].length][];
    for (int i = 0; i < out.length; i++) {
      out[i] = top[sizeIndex][i].descending();
    }
    return out;
  }

  public float[] topImpostors(int sizeIndex) {
    return impostors[sizeIndex].descending();
  }
}
