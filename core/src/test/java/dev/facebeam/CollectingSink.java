package dev.facebeam;

import dev.facebeam.codec.pack.FacePack;
import dev.facebeam.codec.pack.FaceSink;
import dev.facebeam.proto.FaceRecord;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/** Collects what a pack reader emits: faces, and rejects as "id | source | reason". */
public final class CollectingSink implements FaceSink {
  public final List<FaceRecord> faces = new ArrayList<>();
  public final List<String> rejects = new ArrayList<>();

  @Override
  public void face(FaceRecord raw) {
    faces.add(raw);
  }

  @Override
  public void reject(String id, String source, String reason) {
    rejects.add(id + " | " + source + " | " + reason);
  }

  /** Reads every task of the pack, in order, as one worker would. */
  public static CollectingSink readAll(FacePack pack) {
    CollectingSink c = new CollectingSink();
    for (Serializable t : pack.tasks()) {
      pack.read(t, c);
    }
    return c;
  }
}
