package dev.facebeam.codec.pack;

import dev.facebeam.proto.FaceRecord;

/** Where a pack reader puts what it reads: every input ends in exactly one of the two calls. */
public interface FaceSink {
  void face(FaceRecord raw);

  void reject(String id, String source, String reason);
}
