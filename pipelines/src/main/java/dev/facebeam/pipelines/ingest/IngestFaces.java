package dev.facebeam.pipelines.ingest;

import dev.facebeam.codec.pack.FacePack;
import dev.facebeam.proto.FaceRecord;
import dev.facebeam.proto.Reject;
import dev.facebeam.transforms.DecodeAndAlign;
import dev.facebeam.transforms.FaceTags;
import dev.facebeam.transforms.ReadFacePack;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Ingest's records, before anything is written: the pack read on the workers and every face decoded
 * and aligned. Outputs {@link FaceTags#FACES} (aligned faces) and {@link FaceTags#REJECTS} (every
 * reject, reading's and aligning's), plus how many faces alignment took in ({@link DecodeAndAlign#TAKEN_IN}:
 * every face read) and the reader's rejects ({@link #READ_REJECTS}), so the stage can check
 * read = written + rejected.
 */
public final class IngestFaces extends PTransform<PBegin, PCollectionTuple> {
  /** The step that reads the pack. */
  public static final String READ = "ReadPack";
  /** The reader's own rejects (few): counted directly. */
  public static final TupleTag<Reject> READ_REJECTS = new TupleTag<>("read_rejects") {};

  private final FacePack pack;
  private final String exportImages;

  /** {@code exportImages}: a folder for a PNG of every aligned face, or null. */
  public IngestFaces(FacePack pack, String exportImages) {
    this.pack = pack;
    this.exportImages = exportImages;
  }

  @Override
  public PCollectionTuple expand(PBegin begin) {
    PCollectionTuple read = begin.apply(READ, new ReadFacePack(pack));
    DecodeAndAlign align = DecodeAndAlign.create();
    if (exportImages != null) {
      align = align.withPngExport(exportImages);
    }
    PCollectionTuple aligned = read.get(FaceTags.FACES).apply("DecodeAndAlign", align);
    PCollection<Reject> rejects = PCollectionList.of(read.get(FaceTags.REJECTS)).and(aligned.get(FaceTags.REJECTS))
        .apply("AllRejects", Flatten.pCollections());
    return PCollectionTuple.of(FaceTags.FACES, aligned.get(FaceTags.FACES))
        .and(FaceTags.REJECTS, rejects)
        .and(DecodeAndAlign.TAKEN_IN, aligned.get(DecodeAndAlign.TAKEN_IN))
        .and(READ_REJECTS, read.get(FaceTags.REJECTS));
  }
}
