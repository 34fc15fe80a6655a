package dev.facebeam.transforms;

import dev.facebeam.proto.FaceRecord;
import dev.facebeam.proto.Reject;
import org.apache.beam.sdk.values.TupleTag;

/** Output tags shared by the transforms that either produce a face or reject it. */
public final class FaceTags {
  public static final TupleTag<FaceRecord> FACES = new TupleTag<>("faces") {};
  public static final TupleTag<Reject> REJECTS = new TupleTag<>("rejects") {};
  /** Per bundle, how many faces a step took in ("raw": every face read goes to alignment): counted where it is known, not by a second reader. */
  public static final TupleTag<org.apache.beam.sdk.values.KV<String, Long>> READ_COUNTS = new TupleTag<>("read_counts") {};

  private FaceTags() {}

  public static Reject reject(String id, String source, String reason) {
    return Reject.newBuilder().setId(id).setSource(source).setReason(reason).build();
  }
}
