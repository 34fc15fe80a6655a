package dev.facebeam.transforms;

import dev.facebeam.codec.pack.FacePack;
import dev.facebeam.codec.pack.FaceSink;
import dev.facebeam.proto.FaceRecord;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Reads a pack's tasks in parallel into raw face records ({@link FaceTags#FACES}) and rejects
 * ({@link FaceTags#REJECTS}) — and nothing else: a cluster's progress line counts what this step sends. The
 * tasks (a few kilobytes each) are reshuffled so that workers share them; the faces are not.
 */
public final class ReadFacePack extends PTransform<PBegin, PCollectionTuple> {
  /** The step that reads the pack's records (the progress line counts what it sends). */
  public static final String READ_TASK = "ReadTask";


  /** Shard readers cut a stage's files into at least this many tasks (ReadStageShards). */
  static final int MANY_TASKS = 8;

  private final FacePack pack;

  public ReadFacePack(FacePack pack) {
    this.pack = pack;
  }

  @Override
  public PCollectionTuple expand(PBegin input) {
    List<Serializable> tasks = new ArrayList<>(pack.tasks());
    PCollectionTuple read = input
        .apply("Tasks", Create.of(tasks).withCoder(SerializableCoder.of(Serializable.class)))
        .apply("SpreadTasks", Reshuffle.viaRandomKey())
        .apply(READ_TASK, ParDo.of(new ReadTaskFn(pack))
            .withOutputTags(FaceTags.FACES, TupleTagList.of(FaceTags.REJECTS)));
    // No record reshuffle: a pack's tasks are small enough to spread the work (a .bin is cut into image
    // ranges), and a reshuffle of the faces is a group-by of every face on Flink.
    PCollection<FaceRecord> faces = read.get(FaceTags.FACES).setCoder(ProtoCoder.of(FaceRecord.class));
    read.get(FaceTags.REJECTS).setCoder(ProtoCoder.of(dev.facebeam.proto.Reject.class));
    return PCollectionTuple.of(FaceTags.FACES, faces).and(FaceTags.REJECTS, read.get(FaceTags.REJECTS));
  }

  static final class ReadTaskFn extends DoFn<Serializable, FaceRecord> {
    private final FacePack pack;
    private final Counter readCounter = Metrics.counter("ingest", "read");
    private final Counter rejectCounter = Metrics.counter("ingest", "rejected");

    ReadTaskFn(FacePack pack) {
      this.pack = pack;
    }

    @ProcessElement
    public void process(@Element Serializable task, MultiOutputReceiver out) {
      // A task-level failure (an unreadable file) fails the run with the file named: losing a whole
      // slice silently would break read = written + rejected.
      pack.read(task, new FaceSink() {
          @Override
          public void face(FaceRecord raw) {
            readCounter.inc();
            dev.facebeam.io.Progress.add("ingest", 1);
            out.get(FaceTags.FACES).output(raw);
          }

          @Override
          public void reject(String id, String source, String reason) {
            readCounter.inc();
            dev.facebeam.io.Progress.add("ingest", 1);
            rejectCounter.inc();
            out.get(FaceTags.REJECTS).output(FaceTags.reject(id, source, reason));
          }
      });
    }
  }
}
