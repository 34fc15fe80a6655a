package dev.facebeam.transforms;

import dev.facebeam.UserInputException;
import dev.facebeam.codec.features.DistractorSlice;
import dev.facebeam.embed.SlotThreads;
import dev.facebeam.metrics.DistractorScores;
import dev.facebeam.metrics.QuantizedProduct;
import java.util.HashSet;
import java.util.Set;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.PCollection;

/**
 * Distractor slices → one {@link DistractorScores}. Each worker reads its slices straight into a
 * block buffer, scores every full block against all probes with one 8-bit product (ONNX Runtime's
 * MatMulInteger, docs/megaface.md) and keeps only top scores — every candidate rescored with the
 * canonical float32 kernel — across its whole bundle; the per-bundle results (kilobytes to a few megabytes, never the
 * features) merge in one Combine. Memory is bounded by the block size, not by the distractor count.
 */
public final class ScoreDistractors extends PTransform<PCollection<DistractorSlice>, PCollection<DistractorScores>> {
  private final Params params;

  /**
   * @param probes P × d unit rows (cleaned)
   * @param sizes distractor-set sizes (each the first N of the list)
   * @param impostorKeep per size, how many top impostor scores TAR@FAR needs
   * @param noise megaface_noises.txt keys; empty when cleaning is off or the source carries its own flags
   * @param cleaning whether noisy distractors are kept out
   */
  public ScoreDistractors(float[][] probes, int[] sizes, int k, int[] impostorKeep, int blockSize, Set<String> noise, boolean cleaning) {
    this(probes, sizes, k, impostorKeep, blockSize, noise, cleaning, SlotThreads.ENGINE_DEFAULT);
  }

  /** {@code threads}: each slot's intra-op threads, a {@link SlotThreads} count or policy. */
  public ScoreDistractors(float[][] probes, int[] sizes, int k, int[] impostorKeep, int blockSize, Set<String> noise, boolean cleaning,
      int threads) {
    this.params = new Params(probes, sizes, k, impostorKeep, blockSize, new HashSet<>(noise), cleaning, threads);
  }

  record Params(float[][] probes, int[] sizes, int k, int[] impostorKeep, int blockSize, HashSet<String> noise, boolean cleaning,
      int threads) implements java.io.Serializable {
    DistractorScores empty() {
      return new DistractorScores(sizes, probes.length, k, impostorKeep);
    }
  }

  @Override
  public PCollection<DistractorScores> expand(PCollection<DistractorSlice> slices) {
    return slices
        .apply("SpreadSlices", Reshuffle.viaRandomKey())
        .apply("ScoreBlocks", ParDo.of(new ScoreFn(params)))
        .setCoder(SerializableCoder.of(DistractorScores.class))
        .apply("Merge", Combine.globally(new Merge(params)))
        .setCoder(SerializableCoder.of(DistractorScores.class));
  }

  /** Keeps one worker's top scores across its bundle; emits them when the bundle ends. */
  static final class ScoreFn extends DoFn<DistractorSlice, DistractorScores> {
    private final Params params;
    private final Counter read = Metrics.counter("megaface", "distractors_read");
    private final Counter dropped = Metrics.counter("megaface", "noisy_dropped");
    private final Counter missing = Metrics.counter("megaface", "missing");
    private final Counter blocks = Metrics.counter("megaface", "blocks");
    private transient QuantizedProduct product;
    private transient DistractorScores.Floors known;
    private transient DistractorScores scores;
    private transient float[] block;
    private transient long[] index;
    private transient int filled;

    ScoreFn(Params params) {
      this.params = params;
    }

    @Setup
    public void setup() {
      product = new QuantizedProduct(params.probes(), SlotThreads.open(params.threads()));
      known = new DistractorScores.Floors(params.sizes().length, params.probes().length);
      block = new float[params.blockSize() * product.dimension()];
      index = new long[params.blockSize()];
    }

    @StartBundle
    public void start() {
      scores = null;
      filled = 0;
    }

    @ProcessElement
    public void process(@Element DistractorSlice slice) {
      if (scores == null) {
        scores = params.empty();
      }
      int d = product.dimension();
      long[] counts = new long[3]; // read, noisy dropped, missing
      slice.read(params.noise(), new DistractorSlice.Sink() {
        @Override
        public void accept(long listIndex, boolean noisy, float[] v, int offset, int dim) {
          if (dim != d) {
            throw new UserInputException(slice.where(listIndex), "distractor feature of dimension " + dim
                + ", but the probes have dimension " + d + " (features of two different models?)");
          }
          counts[0]++;
          if (noisy && params.cleaning()) {
            counts[1]++;
            return;
          }
          System.arraycopy(v, offset, block, filled * d, d);
          index[filled++] = listIndex;
          if (filled == index.length) {
            flush();
          }
        }

        @Override
        public void missing() {
          counts[2]++;
        }
      });
      scores.countRead(counts[0], counts[1], counts[2]);
      read.inc(counts[0]);
      dropped.inc(counts[1]);
      missing.inc(counts[2]);
    }

    private void flush() {
      if (filled > 0) {
        scores.add(product, product.scores(block, filled), block, index, filled, known);
        blocks.inc();
        filled = 0;
      }
    }

    @FinishBundle
    public void finish(FinishBundleContext c) {
      if (scores != null) {
        flush();
        known.raise(scores); // later bundles need not take what these lists already beat
        c.output(scores, GlobalWindow.INSTANCE.maxTimestamp(), GlobalWindow.INSTANCE);
        scores = null;
      }
    }

    @Teardown
    public void teardown() {
      if (product != null) {
        product.close();
        SlotThreads.close();
      }
    }
  }

  /** Merges per-bundle results into a fresh accumulator (inputs stay untouched). */
  static final class Merge implements SerializableFunction<Iterable<DistractorScores>, DistractorScores> {
    private final Params params;

    Merge(Params params) {
      this.params = params;
    }

    @Override
    public DistractorScores apply(Iterable<DistractorScores> parts) {
      DistractorScores all = params.empty();
      for (DistractorScores s : parts) {
        all.merge(s);
      }
      return all;
    }
  }
}
