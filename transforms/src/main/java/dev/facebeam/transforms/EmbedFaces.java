package dev.facebeam.transforms;

import dev.facebeam.embed.DeviceSpec;
import dev.facebeam.embed.FaceEmbedder;
import dev.facebeam.embed.FaceModel;
import dev.facebeam.embed.ModelHolder;
import dev.facebeam.embed.ModelSpec;
import dev.facebeam.embed.SlotThreads;
import dev.facebeam.proto.Embedding;
import dev.facebeam.proto.FaceRecord;
import dev.facebeam.proto.Reject;
import java.util.ArrayList;
import java.util.List;
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
 * Aligned faces → flip-fused embeddings ({@link #EMBEDDINGS}) or rejects ({@link FaceTags#REJECTS}).
 * Each DoFn instance shares its JVM's model (loaded once in {@code @Setup}) and owns one predictor;
 * faces are buffered and flushed by size, because a Flink batch bundle can hold a million elements.
 */
public final class EmbedFaces extends PTransform<PCollection<FaceRecord>, PCollectionTuple> {
  /** The step that runs the model (the progress line counts what it takes in). */
  public static final String EMBED = "Embed";

  public static final TupleTag<Embedding> EMBEDDINGS = new TupleTag<>("embeddings") {};

  private final ModelSpec spec;
  private final String device;
  private final int batchSize;
  private final boolean flip;
  private final boolean keepRaw;
  private final int threadsPerSlot;

  public EmbedFaces(ModelSpec spec, String device, int batchSize, boolean flip, boolean keepRaw) {
    this(spec, device, batchSize, flip, keepRaw, SlotThreads.ENGINE_DEFAULT);
  }

  /** {@code threadsPerSlot}: intra-op threads of each slot, or one of {@link SlotThreads}' policies. */
  public EmbedFaces(ModelSpec spec, String device, int batchSize, boolean flip, boolean keepRaw, int threadsPerSlot) {
    this.spec = spec;
    this.device = device;
    this.batchSize = batchSize;
    this.flip = flip;
    this.keepRaw = keepRaw;
    this.threadsPerSlot = threadsPerSlot;
  }

  @Override
  public PCollectionTuple expand(PCollection<FaceRecord> faces) {
    PCollectionTuple out = faces.apply(EMBED, ParDo.of(new EmbedFn(spec, device, batchSize, flip, keepRaw, threadsPerSlot))
        .withOutputTags(EMBEDDINGS, TupleTagList.of(FaceTags.REJECTS)));
    out.get(EMBEDDINGS).setCoder(ProtoCoder.of(Embedding.class));
    out.get(FaceTags.REJECTS).setCoder(ProtoCoder.of(Reject.class));
    return out;
  }

  static final class EmbedFn extends DoFn<FaceRecord, Embedding> {
    private final ModelSpec spec;
    private final String device;
    private final int batchSize;
    private final boolean flip;
    private final boolean keepRaw;
    private final int threadsPerSlot;
    private final Counter embedded = Metrics.counter("embed", "embedded");
    private final Counter rejected = Metrics.counter("embed", "rejected");
    private final Counter batches = Metrics.counter("embed", "batches");
    private transient FaceModel model;
    private transient FaceEmbedder embedder;
    private transient List<FaceRecord> buffer;

    EmbedFn(ModelSpec spec, String device, int batchSize, boolean flip, boolean keepRaw, int threadsPerSlot) {
      this.threadsPerSlot = threadsPerSlot;
      this.spec = spec;
      this.device = device;
      this.batchSize = batchSize;
      this.flip = flip;
      this.keepRaw = keepRaw;
    }

    @Setup
    public void setup() {
      dev.facebeam.models.DjlSettings.offline(); // before DJL's engine starts, on whatever worker this runs
      model = ModelHolder.acquire(spec, DeviceSpec.parse(device).pick(spec.engine()),
          SlotThreads.resolve(threadsPerSlot, ModelHolder.users() + 1));
      embedder = new FaceEmbedder(model, batchSize, flip, keepRaw);
      buffer = new ArrayList<>();
    }

    @StartBundle
    public void startBundle() {
      // On this slot's own thread (libtorch counts threads per thread); on a cluster the count follows
      // the embed slots open in this TaskManager.
      SlotThreads.useOnThisThread(spec.engine(), SlotThreads.resolve(threadsPerSlot, ModelHolder.users()));
      buffer.clear();
    }

    @ProcessElement
    public void process(@Element FaceRecord face, MultiOutputReceiver out) {
      buffer.add(face);
      if (buffer.size() * (flip ? 2 : 1) >= Math.max(batchSize, embedder.feed())) {
        flush(e -> out.get(EMBEDDINGS).output(e), r -> out.get(FaceTags.REJECTS).output(r));
      }
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext c) {
      flush(e -> c.output(EMBEDDINGS, e, GlobalWindow.INSTANCE.maxTimestamp(), GlobalWindow.INSTANCE),
          r -> c.output(FaceTags.REJECTS, r, GlobalWindow.INSTANCE.maxTimestamp(), GlobalWindow.INSTANCE));
    }

    private void flush(java.util.function.Consumer<Embedding> ok, java.util.function.Consumer<Reject> bad) {
      if (buffer.isEmpty()) {
        return;
      }
      embedder.embed(buffer, e -> {
        embedded.inc();
        dev.facebeam.io.Progress.add("embed", 1);
        ok.accept(e);
      }, (f, why) -> {
        rejected.inc();
        dev.facebeam.io.Progress.add("embed", 1);
        bad.accept(FaceTags.reject(f.getId(), f.getSource(), why));
      });
      batches.inc();
      buffer.clear();
    }

    @Teardown
    public void teardown() {
      if (embedder != null) {
        embedder.close();
      }
      if (model != null) {
        ModelHolder.release(model);
      }
    }
  }
}
