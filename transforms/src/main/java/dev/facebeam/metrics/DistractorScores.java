package dev.facebeam.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * What survives of the probe × distractor score matrix, per distractor-set size: each probe's top-K
 * distractor scores, the highest impostor scores needed for TAR@FAR, and how many distractors
 * counted. Blocks of distractors are scored with one matrix product each; accumulators merge, so the
 * 3530 × 10^6 matrix is never held.
 */
public final class DistractorScores implements Serializable {
  private final int[] sizes;
  private final TopScores[][] top; // [size][probe]
  private final TopScores[] impostors; // [size]
  private final long[] distractors; // [size]

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
   * Scores one block: {@code probes} (P × d, unit rows) against {@code block} (B × d) in one DJL
   * matrix product; {@code listIndex[b]} is the distractor's 0-based position in the list, which
   * decides the sizes it belongs to (size N = the first N distractors).
   */
  public void addBlock(float[][] probes, List<float[]> block, List<Long> listIndex, NDManager manager) {
    int p = probes.length;
    int b = block.size();
    if (b == 0) {
      return;
    }
    int d = probes[0].length;
    float[] pf = new float[p * d];
    for (int i = 0; i < p; i++) {
      System.arraycopy(probes[i], 0, pf, i * d, d);
    }
    float[] bf = new float[b * d];
    for (int j = 0; j < b; j++) {
      if (block.get(j).length != d) {
        throw new IllegalArgumentException("distractor of dimension " + block.get(j).length + " against probes of " + d);
      }
      System.arraycopy(block.get(j), 0, bf, j * d, d);
    }
    float[] scores;
    try (NDManager m = manager.newSubManager()) {
      NDArray a = m.create(pf, new Shape(p, d));
      NDArray bt = m.create(bf, new Shape(b, d)).transpose();
      scores = a.matMul(bt).toFloatArray();
    }
    long[] index = new long[b];
    for (int j = 0; j < b; j++) {
      index[j] = listIndex.get(j);
    }
    // Row by row: each probe's scores lie contiguous in the product (a column walk misses the cache).
    for (int s = 0; s < sizes.length; s++) {
      int inSize = 0;
      for (int j = 0; j < b; j++) {
        inSize += index[j] < sizes[s] ? 1 : 0;
      }
      if (inSize == 0) {
        continue;
      }
      distractors[s] += inSize;
      TopScores imp = impostors[s];
      for (int i = 0; i < p; i++) {
        TopScores t = top[s][i];
        int row = i * b;
        for (int j = 0; j < b; j++) {
          if (index[j] < sizes[s]) {
            float score = scores[row + j];
            t.offer(score);
            imp.offer(score);
          }
        }
      }
    }
  }

  public DistractorScores merge(DistractorScores other) {
    for (int s = 0; s < sizes.length; s++) {
      distractors[s] += other.distractors[s];
      impostors[s].merge(other.impostors[s]);
      for (int i = 0; i < top[s].length; i++) {
        top[s][i].merge(other.top[s][i]);
      }
    }
    return this;
  }

  public int[] sizes() {
    return sizes.clone();
  }

  public long distractors(int sizeIndex) {
    return distractors[sizeIndex];
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

  /** Sizes as the devkit lists them: only those the list can fill. */
  public static List<Integer> usableSizes(int[] sizes, long available) {
    List<Integer> out = new ArrayList<>();
    for (int s : sizes) {
      if (s <= available) {
        out.add(s);
      }
    }
    return out;
  }
}
