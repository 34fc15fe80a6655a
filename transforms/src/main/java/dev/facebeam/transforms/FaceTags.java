package dev.facebeam.transforms;

import dev.facebeam.proto.FaceRecord;
import dev.facebeam.proto.Reject;
import org.apache.beam.sdk.values.TupleTag;

/** Output tags shared by the transforms that either produce a face or reject it. */
public final class FaceTags {
  public static final TupleTag<FaceRecord> FACES = new TupleTag<>("faces") {};
  public static final TupleTag<Reject> REJECTS = new TupleTag<>("rejects") {};

  private FaceTags() {}

  public static Reject reject(String id, String source, String reason) {
    return Reject.newBuilder().setId(id).setSource(source).setReason(reason).build();
  }
}
