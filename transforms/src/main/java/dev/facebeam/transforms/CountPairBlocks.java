package dev.facebeam.transforms;

import dev.facebeam.metrics.AllPairs;
import java.util.Set;
import java.util.TreeSet;
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
 * and the tallies (counts, never scores) add up in one Combine. {@code bins} null: the first pass;
 * else a later pass counting inside those bins.
 */
public final class CountPairBlocks extends PTransform<PCollection<AllPairs.Block>, PCollection<AllPairs.Tally>> {
  private final AllPairs.Input input;
  private final TreeSet<Long> bins;

  public CountPairBlocks(AllPairs.Input input, Set<Long> bins) {
    this.input = input;
    this.bins = bins == null ? null : new TreeSet<>(bins);
  }

  @Override
  public PCollection<AllPairs.Tally> expand(PCollection<AllPairs.Block> blocks) {
    return blocks
        .apply("SpreadBlocks", Reshuffle.viaRandomKey())
        .apply("CountBlocks", ParDo.of(new CountFn(input, bins)))
        .setCoder(SerializableCoder.of(AllPairs.Tally.class))
        .apply("Add", Combine.globally(new Add(AllPairs.sets(input), bins)))
        .setCoder(SerializableCoder.of(AllPairs.Tally.class));
  }

  private static AllPairs.Tally empty(int sets, TreeSet<Long> bins) {
    return bins == null ? new AllPairs.Tally(sets) : new AllPairs.Tally(sets, bins);
  }

  /** One tally per bundle: every block of the bundle counted into it. */
  static final class CountFn extends DoFn<AllPairs.Block, AllPairs.Tally> {
    private final AllPairs.Input input;
    private final TreeSet<Long> bins;
    private transient AllPairs.Tally tally;

    CountFn(AllPairs.Input input, TreeSet<Long> bins) {
      this.input = input;
      this.bins = bins;
    }

    @StartBundle
    public void start() {
      tally = null;
    }

    @ProcessElement
    public void process(@Element AllPairs.Block block) {
      if (tally == null) {
        tally = empty(AllPairs.sets(input), bins);
      }
      tally.count(input, block);
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
    private final TreeSet<Long> bins;

    Add(int sets, TreeSet<Long> bins) {
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
