package dev.facebeam.transforms;

import dev.facebeam.metrics.AllPairs;
import dev.facebeam.metrics.BlockProduct;
import dev.facebeam.embed.SlotThreads;
import dev.facebeam.metrics.EngineProduct;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.PCollection;

/**
 * Blocks of pairs → one {@link AllPairs.Tally} (docs/allpairs.md). The blocks are spread over the
 * workers; each counts its blocks into one tally per bundle, reading only the rows a block needs,
 * and the tallies (counts, never scores) add up in one Combine. {@code wanted} null: the first pass;
 * else a later pass rescoring the impostors of those bins. {@code engine}: the DJL engine whose
 * matrix product scores the blocks, or {@link #CANONICAL} for the canonical kernel alone.
 */
public final class CountPairBlocks extends PTransform<PCollection<AllPairs.Block>, PCollection<AllPairs.Tally>> {
  /** The engine name that scores with the canonical kernel only (no native library). */
  public static final String CANONICAL = "canonical";

  private final AllPairs.Input input;
  private final ArrayList<AllPairs.Want> bins;
  private final String engine;
  private final int threads;

  /** {@code threads}: each slot's intra-op threads, a {@link SlotThreads} count or policy. */
  public CountPairBlocks(AllPairs.Input input, List<AllPairs.Want> wanted, String engine, int threads) {
    this.input = input;
    this.bins = wanted == null ? null : new ArrayList<>(wanted);
    this.engine = engine;
    this.threads = threads;
  }

  /** The product a worker scores with. */
  static BlockProduct product(String engine, int threads) {
    if (CANONICAL.equals(engine)) {
      return new BlockProduct.Canonical();
    }
    return new EngineProduct(engine, SlotThreads.open(threads));
  }

  @Override
  public PCollection<AllPairs.Tally> expand(PCollection<AllPairs.Block> blocks) {
    return blocks
        .apply("SpreadBlocks", Reshuffle.viaRandomKey())
        .apply("CountBlocks", ParDo.of(new CountFn(input, bins, engine, threads)))
        .setCoder(SerializableCoder.of(AllPairs.Tally.class))
        .apply("Add", Combine.globally(new Add(input.sets(), bins)))
        .setCoder(SerializableCoder.of(AllPairs.Tally.class));
  }

  private static AllPairs.Tally empty(int sets, List<AllPairs.Want> bins) {
    return bins == null ? new AllPairs.Tally(sets) : new AllPairs.Tally(sets, bins);
  }

  /** One tally per bundle: every block of the bundle counted into it. */
  static final class CountFn extends DoFn<AllPairs.Block, AllPairs.Tally> {
    private final AllPairs.Input input;
    private final ArrayList<AllPairs.Want> bins;
    private final String engine;
    private final int threads;
    private transient AllPairs.Tally tally;
    private transient BlockProduct product;

    CountFn(AllPairs.Input input, ArrayList<AllPairs.Want> bins, String engine, int threads) {
      this.input = input;
      this.bins = bins;
      this.engine = engine;
      this.threads = threads;
    }

    @Setup
    public void setup() {
      product = product(engine, threads);
    }

    @Teardown
    public void teardown() {
      if (product != null) {
        product.close();
        if (!CANONICAL.equals(engine)) {
          SlotThreads.close();
        }
      }
    }

    @StartBundle
    public void start() {
      tally = null;
    }

    @ProcessElement
    public void process(@Element AllPairs.Block block) {
      if (tally == null) {
        tally = empty(input.sets(), bins);
      }
      tally.count(input, block, product);
    }

    @FinishBundle
    public void finish(FinishBundleContext c) {
      if (tally != null) {
        c.output(tally, GlobalWindow.INSTANCE.maxTimestamp(), GlobalWindow.INSTANCE);
        tally = null;
      }
    }
  }

  /** The bundles' tallies added into one accumulator (never a list of them): an empty tally where there were no blocks. */
  static final class Add extends Combine.CombineFn<AllPairs.Tally, AllPairs.Tally, AllPairs.Tally> {
    private final int sets;
    private final ArrayList<AllPairs.Want> bins;

    Add(int sets, ArrayList<AllPairs.Want> bins) {
      this.sets = sets;
      this.bins = bins;
    }

    @Override
    public AllPairs.Tally createAccumulator() {
      return empty(sets, bins);
    }

    @Override
    public AllPairs.Tally addInput(AllPairs.Tally sum, AllPairs.Tally t) {
      sum.add(t);
      return sum;
    }

    @Override
    public AllPairs.Tally mergeAccumulators(Iterable<AllPairs.Tally> sums) {
      AllPairs.Tally all = empty(sets, bins);
      sums.forEach(all::add);
      return all;
    }

    @Override
    public AllPairs.Tally extractOutput(AllPairs.Tally sum) {
      return sum;
    }

    @Override
    public org.apache.beam.sdk.coders.Coder<AllPairs.Tally> getAccumulatorCoder(org.apache.beam.sdk.coders.CoderRegistry registry,
        org.apache.beam.sdk.coders.Coder<AllPairs.Tally> input) {
      return SerializableCoder.of(AllPairs.Tally.class);
    }
  }
}
