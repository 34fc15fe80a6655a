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
    this.params = new Params(new ProbeRows(probes), new Lists(sizes, probes.length, k, impostorKeep), blockSize, new HashSet<>(noise),
        cleaning, threads);
  }

  /** What a worker needs; only the workers' DoFn carries the probes themselves. */
  record Params(ProbeRows probes, Lists lists, int blockSize, HashSet<String> noise, boolean cleaning, int threads)
      implements java.io.Serializable {
    DistractorScores empty() {
      return lists.empty();
    }
  }

  /** The shape of the kept lists: all that merging needs (the probes stay out of the Combine's functions). */
  record Lists(int[] sizes, int probes, int k, int[] impostorKeep) implements java.io.Serializable {
    DistractorScores empty() {
      return new DistractorScores(sizes, probes, k, impostorKeep);
    }
  }

  /**
   * P × d probe rows that serialise as one run of bytes. Java serialisation writes a float[][] float by
   * float, and the DoFn is serialised and read back several times before the first block, while that
   * code is still cold: 3,530 × 512 probes cost over a second of the stage's start that way.
   */
  static final class ProbeRows implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private transient float[][] rows;

    ProbeRows(float[][] rows) {
      this.rows = rows;
    }

    float[][] rows() {
      return rows;
    }

    private void writeObject(java.io.ObjectOutputStream out) throws java.io.IOException {
      int d = rows.length == 0 ? 0 : rows[0].length;
      java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(4 * rows.length * d).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      java.nio.FloatBuffer floats = bytes.asFloatBuffer();
      for (float[] r : rows) {
        floats.put(r);
      }
      out.writeInt(rows.length);
      out.writeInt(d);
      out.writeObject(bytes.array());
    }

    private void readObject(java.io.ObjectInputStream in) throws java.io.IOException, ClassNotFoundException {
      int p = in.readInt();
      int d = in.readInt();
      java.nio.FloatBuffer floats = java.nio.ByteBuffer.wrap((byte[]) in.readObject()).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
      rows = new float[p][d];
      for (float[] r : rows) {
        floats.get(r);
      }
    }
  }

  @Override
  public PCollection<DistractorScores> expand(PCollection<DistractorSlice> slices) {
    return slices
        .apply("SpreadSlices", Reshuffle.viaRandomKey())
        .apply("ScoreBlocks", ParDo.of(new ScoreFn(params)))
        .setCoder(SerializableCoder.of(DistractorScores.class))
        .apply("Merge", Combine.globally(new Merge(params.lists())))
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
      product = new QuantizedProduct(params.probes().rows(), SlotThreads.open(params.threads()));
      known = new DistractorScores.Floors(params.lists().sizes().length, params.lists().probes());
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
        scores.add(product, block, index, filled, known);
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
    private final Lists lists;

    Merge(Lists lists) {
      this.lists = lists;
    }

    @Override
    public DistractorScores apply(Iterable<DistractorScores> parts) {
      DistractorScores all = lists.empty();
      for (DistractorScores s : parts) {
        all.merge(s);
      }
      return all;
    }
  }
}
