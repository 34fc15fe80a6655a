package dev.facebeam.metrics;

import java.io.Serializable;

/**
 * What survives of the probe × distractor score matrix, per distractor-set size: each probe's top-K
 * distractor scores, the highest impostor scores needed for TAR@FAR, and how many distractors
 * counted; plus what reading saw (distractors read, noisy ones dropped, missing files skipped).
 * Blocks of scores come from {@link DistractorProduct}; accumulators merge, so the 3530 × 10^6
 * matrix is never held.
 */
public final class DistractorScores implements Serializable {
  private final int[] sizes;
  private final TopScores[][] top; // [size][probe]
  private final TopScores[] impostors; // [size]
  private final long[] distractors; // [size]
  private long read;
  private long noisyDropped;
  private long missing;

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
