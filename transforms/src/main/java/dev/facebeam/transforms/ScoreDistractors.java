package dev.facebeam.transforms;

import ai.djl.ndarray.NDManager;
import dev.facebeam.metrics.DistractorScores;
import dev.facebeam.proto.Embedding;
import java.io.Serializable;
import java.util.ArrayList;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.transforms.Combine;

/**
 * Distractor embeddings → {@link DistractorScores}: the accumulator buffers a block of distractors
 * and scores it against every probe with one matrix product, keeping only top scores; accumulators
 * from different workers merge. Memory is bounded by the block size, not by the distractor count.
 */
public final class ScoreDistractors extends Combine.CombineFn<Embedding, ScoreDistractors.Acc, DistractorScores> {
  private static NDManager manager;

  private final float[][] probes;
  private final int[] sizes;
  private final int k;
  private final int[] impostorKeep;
  private final int blockSize;

  public ScoreDistractors(float[][] probes, int[] sizes, int k, int[] impostorKeep, int blockSize) {
    this.probes = probes;
    this.sizes = sizes;
    this.k = k;
    this.impostorKeep = impostorKeep;
    this.blockSize = blockSize;
  }

  /** The scores so far and the block being filled. */
  public static final class Acc implements Serializable {
    final DistractorScores scores;
    final ArrayList<float[]> block = new ArrayList<>();
    final ArrayList<Long> index = new ArrayList<>();

    Acc(DistractorScores scores) {
      this.scores = scores;
    }
  }

  private static synchronized NDManager manager() {
    if (manager == null) {
      manager = NDManager.newBaseManager("PyTorch");
    }
    return manager;
  }

  @Override
  public Acc createAccumulator() {
    return new Acc(new DistractorScores(sizes, probes.length, k, impostorKeep));
  }

  @Override
  public Acc addInput(Acc acc, Embedding e) {
    float[] v = new float[e.getVectorCount()];
    for (int i = 0; i < v.length; i++) {
      v[i] = e.getVector(i);
    }
    acc.block.add(v);
    acc.index.add(e.getIndex() - 1); // list lines are numbered from 1
    if (acc.block.size() >= blockSize) {
      flush(acc);
    }
    return acc;
  }

  private void flush(Acc acc) {
    acc.scores.addBlock(probes, acc.block, acc.index, manager());
    acc.block.clear();
    acc.index.clear();
  }

  @Override
  public Acc mergeAccumulators(Iterable<Acc> accs) {
    Acc merged = null;
    for (Acc a : accs) {
      flush(a);
      if (merged == null) {
        merged = a;
      } else {
        merged.scores.merge(a.scores);
      }
    }
    return merged == null ? createAccumulator() : merged;
  }

  @Override
  public DistractorScores extractOutput(Acc acc) {
    flush(acc);
    return acc.scores;
  }

  @Override
  public Coder<Acc> getAccumulatorCoder(CoderRegistry registry, Coder<Embedding> input) {
    return SerializableCoder.of(Acc.class);
  }

  @Override
  public Coder<DistractorScores> getDefaultOutputCoder(CoderRegistry registry, Coder<Embedding> input) {
    return SerializableCoder.of(DistractorScores.class);
  }
}
