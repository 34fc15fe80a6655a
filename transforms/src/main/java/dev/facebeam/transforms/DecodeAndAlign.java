package dev.facebeam.transforms;

import dev.facebeam.align.FacePreparation;
import dev.facebeam.codec.image.ImageCodec;
import dev.facebeam.io.StageFiles;
import dev.facebeam.proto.FaceRecord;
import dev.facebeam.proto.Reject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Raw face records → aligned 112×112 face records ({@link FaceTags#FACES}), or a reject with the
 * reason ({@link FaceTags#REJECTS}), and per bundle how many faces it took in ({@link #TAKEN_IN}).
 * Optionally writes each crop as {@code <id>.png}.
 */
public final class DecodeAndAlign extends PTransform<PCollection<FaceRecord>, PCollectionTuple> {
  /** Per bundle, the raw faces taken in (every face read comes here): counted where they are, not by a second reader. */
  public static final TupleTag<Long> TAKEN_IN = new TupleTag<>("taken_in") {};

  private final String exportDir;

  private DecodeAndAlign(String exportDir) {
    this.exportDir = exportDir;
  }

  public static DecodeAndAlign create() {
    return new DecodeAndAlign(null);
  }

  /** Also writes every aligned crop as a PNG named by record id into {@code dir}. */
  public DecodeAndAlign withPngExport(String dir) {
    return new DecodeAndAlign(dir);
  }

  @Override
  public PCollectionTuple expand(PCollection<FaceRecord> raw) {
    PCollectionTuple out = raw.apply("Prepare", ParDo.of(new PrepareFn(exportDir))
        .withOutputTags(FaceTags.FACES, TupleTagList.of(FaceTags.REJECTS).and(TAKEN_IN)));
    out.get(FaceTags.FACES).setCoder(ProtoCoder.of(FaceRecord.class));
    out.get(FaceTags.REJECTS).setCoder(ProtoCoder.of(Reject.class));
    out.get(TAKEN_IN).setCoder(VarLongCoder.of());
    return out;
  }

  static final class PrepareFn extends DoFn<FaceRecord, FaceRecord> {
    private final String exportDir;
    private final Counter written = Metrics.counter("ingest", "aligned");
    private final Counter rejected = Metrics.counter("ingest", "rejected");
    private transient long taken;

    PrepareFn(String exportDir) {
      this.exportDir = exportDir;
    }

    @Setup
    public void setup() throws IOException {
      if (exportDir != null) {
        Files.createDirectories(Path.of(exportDir));
      }
    }

    @StartBundle
    public void start() {
      taken = 0;
    }

    @ProcessElement
    public void process(@Element FaceRecord raw, MultiOutputReceiver out) {
      taken++;
      FacePreparation.Prepared prepared;
      try {
        prepared = FacePreparation.prepare(raw);
      } catch (FacePreparation.RejectedFace e) {
        rejected.inc();
        out.get(FaceTags.REJECTS).output(FaceTags.reject(raw.getId(), raw.getSource(), e.getMessage()));
        return;
      }
      if (exportDir != null) {
        writePng(prepared);
      }
      written.inc();
      out.get(FaceTags.FACES).output(prepared.record());
    }

    /** The faces this bundle took in, as one count: a failed bundle's count goes with its outputs. */
    @FinishBundle
    public void finish(FinishBundleContext c) {
      if (taken > 0) {
        c.output(TAKEN_IN, taken, GlobalWindow.INSTANCE.maxTimestamp(), GlobalWindow.INSTANCE);
      }
    }

    private void writePng(FacePreparation.Prepared prepared) {
      Path dir = Path.of(exportDir);
      Path target = dir.resolve(prepared.record().getId() + ".png");
      try {
        StageFiles.writeAtomically(target, ImageCodec.encodePng(prepared.pixels()));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot export " + target + ": " + e.getMessage(), e);
      }
    }
  }
}
