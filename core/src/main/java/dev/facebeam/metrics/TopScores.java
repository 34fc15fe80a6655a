package dev.facebeam.metrics;

import java.io.Serializable;
import java.util.Arrays;

/**
 * The K highest scores seen so far, for one probe: distractor blocks are scored one at a time and
 * only these survive, so memory is bounded by K, not by the number of distractors. Mergeable, so
 * partial results of parallel blocks combine.
 */
public final class TopScores implements Serializable {
  private final int k;
  private final float[] heap; // min-heap of the best k
  private int size;

  public TopScores(int k) {
    if (k < 1) {
      throw new IllegalArgumentException("K must be at least 1");
    }
    this.k = k;
    this.heap = new float[k];
  }

  public void offer(float score) {
    if (size < k) {
      heap[size] = score;
      siftUp(size++);
    } else if (score > heap[0]) {
      heap[0] = score;
      siftDown(0);
    }
  }

  /** The score a newcomer must beat to be kept: -infinity until K are kept, then the lowest kept. */
  public float floor() {
    return size < k ? Float.NEGATIVE_INFINITY : heap[0];
  }

  public void merge(TopScores other) {
    for (int i = 0; i < other.size; i++) {
      offer(other.heap[i]);
    }
  }

  /** The kept scores, highest first. */
  public float[] descending() {
    float[] out = Arrays.copyOf(heap, size);
    Arrays.sort(out);
    for (int i = 0; i < out.length / 2; i++) {
      float t = out[i];
      out[i] = out[out.length - 1 - i];
      out[out.length - 1 - i] = t;
    }
    return out;
  }

  public int size() {
    return size;
  }

  private void siftUp(int i) {
    while (i > 0) {
      int p = (i - 1) / 2;
      if (heap[p] <= heap[i]) {
        return;
      }
      float t = heap[p];
      heap[p] = heap[i];
      heap[i] = t;
      i = p;
    }
  }

  private void siftDown(int i) {
    while (true) {
      int l = 2 * i + 1;
      int r = l + 1;
      int m = i;
      if (l < size && heap[l] < heap[m]) {
        m = l;
      }
      if (r < size && heap[r] < heap[m]) {
        m = r;
      }
      if (m == i) {
        return;
      }
      float t = heap[m];
      heap[m] = heap[i];
      heap[i] = t;
      i = m;
    }
  }
}
