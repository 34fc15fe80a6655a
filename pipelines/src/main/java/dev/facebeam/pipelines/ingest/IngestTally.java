package dev.facebeam.pipelines.ingest;

import dev.facebeam.proto.Reject;
import dev.facebeam.transforms.FaceOutcome;
import dev.facebeam.transforms.FaceTags;
import dev.facebeam.transforms.ProtoCoder;
import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.FlatMapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Ingest's counts from its faces' outcomes, in the one step that reads them: the rejects go on to
 * rejects.jsonl ({@link FaceTags#REJECTS}); read, written, rejected and the distinct labels are
 * tallied per bundle and merged into the count lines ({@link #COUNTS}), so that the stage can check
 * read = written + rejected.
 */
final class IngestTally extends PTransform<PCollection<FaceOutcome>, PCollectionTuple> {
  /** The lines "read\tN", "written\tN", "rejected\tN", "identities\tN". */
  static final TupleTag<String> COUNTS = new TupleTag<>("counts") {};
  private static final TupleTag<Tally> TALLIES = new TupleTag<>("tallies") {};

  @Override
  public PCollectionTuple expand(PCollection<FaceOutcome> outcomes) {
    PCollectionTuple split = outcomes.apply("Outcomes", ParDo.of(new TallyFn())
        .withOutputTags(TALLIES, TupleTagList.of(FaceTags.REJECTS)));
    split.get(FaceTags.REJECTS).setCoder(ProtoCoder.of(Reject.class));
    PCollection<String> counts = split.get(TALLIES).setCoder(SerializableCoder.of(Tally.class))
        .apply("Merge", Combine.globally((SerializableFunction<Iterable<Tally>, Tally>) Tally::merge))
        .apply("Lines", FlatMapElements.into(TypeDescriptors.strings()).via(Tally::lines));
    return PCollectionTuple.of(COUNTS, counts).and(FaceTags.REJECTS, split.get(FaceTags.REJECTS));
  }

  /** Faces read, written and rejected, and the distinct labels (≥ 0) of those written, sorted. */
  record Tally(long read, long written, long rejected, long[] labels) implements Serializable {
    static Tally merge(Iterable<Tally> parts) {
      long read = 0;
      long written = 0;
      long rejected = 0;
      LabelSet labels = new LabelSet();
      for (Tally t : parts) {
        read += t.read;
        written += t.written;
        rejected += t.rejected;
        for (long l : t.labels) {
          labels.add(l);
        }
      }
      return new Tally(read, written, rejected, labels.sorted());
    }

    // By value, labels included: the runner compares a tally's decoded copy with the original.
    @Override
    public boolean equals(Object o) {
      return o instanceof Tally t && t.read == read && t.written == written && t.rejected == rejected && Arrays.equals(t.labels, labels);
    }

    @Override
    public int hashCode() {
      return Long.hashCode(read) * 31 + Arrays.hashCode(labels);
    }

    List<String> lines() {
      return List.of("read\t" + read, "written\t" + written, "rejected\t" + rejected, "identities\t" + labels.length);
    }
  }

  /**
   * Distinct labels without a boxed set: appended unless equal to the last (a pack's faces come in
   * identity order), sorted and made distinct whenever the buffer fills, so it holds about the distinct ones.
   */
  static final class LabelSet {
    private long[] buf = new long[1024];
    private int n;
    private int distinctUpTo; // buf[0, distinctUpTo) is sorted and distinct

    void add(long label) {
      if (label < 0 || (n > 0 && buf[n - 1] == label)) {
        return;
      }
      if (n == buf.length) {
        compact();
        if (n > buf.length / 2) {
          buf = Arrays.copyOf(buf, buf.length * 2);
        }
      }
      buf[n++] = label;
    }

    private void compact() {
      Arrays.sort(buf, 0, n);
      int m = 0;
      for (int i = 0; i < n; i++) {
        if (m == 0 || buf[m - 1] != buf[i]) {
          buf[m++] = buf[i];
        }
      }
      n = m;
      distinctUpTo = m;
    }

    long[] sorted() {
      if (distinctUpTo != n) {
        compact();
      }
      return Arrays.copyOf(buf, n);
    }
  }

  static final class TallyFn extends DoFn<FaceOutcome, Tally> {
    private transient long read;
    private transient long written;
    private transient long rejected;
    private transient LabelSet labels;

    @StartBundle
    public void start() {
      read = 0;
      written = 0;
      rejected = 0;
      labels = new LabelSet();
    }

    @ProcessElement
    public void process(@Element FaceOutcome o, MultiOutputReceiver out) {
      read++;
      if (o.isWritten()) {
        written++;
        labels.add(o.label());
      } else {
        rejected++;
        out.get(FaceTags.REJECTS).output(o.reject());
      }
    }

    /** One tally per bundle: a failed bundle's tally goes with its outputs. */
    @FinishBundle
    public void finish(FinishBundleContext c) {
      if (read > 0) {
        c.output(new Tally(read, written, rejected, labels.sorted()), GlobalWindow.INSTANCE.maxTimestamp(), GlobalWindow.INSTANCE);
      }
    }
  }
}
