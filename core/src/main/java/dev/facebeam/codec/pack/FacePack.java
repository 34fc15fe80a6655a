package dev.facebeam.codec.pack;

import java.io.Serializable;
import java.util.List;

/**
 * A pack of faces in one of the supported formats. The driver opens it (which checks its structure
 * and fails with a clear error when the pack as a whole is unusable) and splits it into tasks; each
 * worker reads its tasks into raw face records, rejecting single bad inputs with a reason.
 */
public interface FacePack extends Serializable {
  /** "rec", "bin", "megaface", "lst" or "folder". */
  String format();

  /** Independent pieces of work, small enough to serialize into the pipeline. */
  List<? extends Serializable> tasks();

  /** Reads one task; every input it meets goes to the sink as a face or a reject. */
  void read(Serializable task, FaceSink sink);

  /** How many faces the pack should yield (reads plus rejects), for sizing shards and progress. */
  long expectedFaces();

  /** The files the pack consists of, for the manifest. */
  List<String> inputFiles();

  /** Pack-level facts for the manifest: declared identities, pair counts, layout, warnings. */
  PackSummary summary();
}
