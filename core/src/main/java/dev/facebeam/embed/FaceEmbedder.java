package dev.facebeam.embed;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import dev.facebeam.codec.image.ImageCodec;
import dev.facebeam.codec.image.ImageDecodeException;
import dev.facebeam.codec.image.RgbPixels;
import dev.facebeam.proto.Embedding;
import dev.facebeam.proto.FaceRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Embeds aligned faces with one predictor: original and mirrored images go through the network in
 * batches of the model's fixed batch or {@code batchSize} (the last batch padded to full size, so an
 * engine that re-plans on new shapes never sees one), then flip fusion. Not thread-safe: one per
 * predictor.
 */
public final class FaceEmbedder implements AutoCloseable {
  private final FaceModel model;
  private final Predictor<NDList, NDList> predictor;
  private final int feed;
  private final boolean flip;
  private final boolean keepRaw;
  /** One batch of preprocessed images, reused call after call (19 MB at batch 32: garbage the heap grew with). */
  private float[] batch;

  public FaceEmbedder(FaceModel model, int batchSize, boolean flip, boolean keepRaw) {
    this.model = model;
    this.predictor = model.newPredictor();
    this.feed = model.fixedBatch() > 0 ? model.fixedBatch() : Math.max(1, batchSize);
    this.flip = flip;
    this.keepRaw = keepRaw;
  }

  /** Images per forward pass. */
  public int feed() {
    return feed;
  }

  /** Embeds faces; each ends in {@code out} or in {@code reject} (id, reason). */
  public void embed(List<FaceRecord> faces, Consumer<Embedding> out, BiConsumer<FaceRecord, String> reject) {
    Preprocessing pre = model.spec().preprocessing();
    int len = pre.length();
    int views = flip ? 2 : 1;
    List<FaceRecord> ok = new ArrayList<>(faces.size());
    List<RgbPixels> pixels = new ArrayList<>(faces.size());
    for (FaceRecord f : faces) {
      try {
        pixels.add(pixels(f));
        ok.add(f);
      } catch (ImageDecodeException e) {
        reject.accept(f, "cannot decode the aligned face: " + e.getMessage());
      }
    }
    int images = ok.size() * views;
    int d = model.embeddingSize();
    float[] raw = new float[images * d];
    if (batch == null || batch.length != feed * len) {
      batch = new float[feed * len];
    }
    for (int start = 0; start < images; start += feed) {
      int count = Math.min(feed, images - start);
      java.util.Arrays.fill(batch, count * len, batch.length, 0f); // padding rows
      for (int i = 0; i < count; i++) {
        int image = start + i;
        pre.write(pixels.get(image / views), image % views == 1, batch, i * len);
      }
      float[] result = model.forward(predictor, batch, feed);
      System.arraycopy(result, 0, raw, start * d, count * d);
    }
    for (int i = 0; i < ok.size(); i++) {
      FaceRecord f = ok.get(i);
      float[] original = java.util.Arrays.copyOfRange(raw, i * views * d, (i * views + 1) * d);
      float[] mirrored = flip ? java.util.Arrays.copyOfRange(raw, (i * views + 1) * d, (i * views + 2) * d) : null;
      try {
        FlipFusion.Fused fused = FlipFusion.fuse(original, mirrored);
        Embedding.Builder e = Embedding.newBuilder()
            .setId(f.getId())
            .setLabel(f.getLabel())
            .setIdentity(f.getIdentity())
            .setRole(f.getRole())
            .setIndex(f.getIndex())
            .setRelativePath(f.getRelativePath())
            .setNoisy(f.getNoisy())
            .setTemplateId(f.getTemplateId())
            .setMediaId(f.getMediaId())
            .setFaceness(f.getFaceness())
            .setNormOriginal(fused.normOriginal())
            .setNormFlipped(fused.normFlipped());
        for (float v : fused.vector()) {
          e.addVector(v);
        }
        if (keepRaw) {
          for (float v : original) {
            e.addRawOriginal(v);
          }
          if (mirrored != null) {
            for (float v : mirrored) {
              e.addRawFlipped(v);
            }
          }
        }
        out.accept(e.build());
      } catch (FlipFusion.BadEmbedding bad) {
        reject.accept(f, bad.getMessage());
      }
    }
  }

  /** The 112×112 pixels of an ingested face: raw pixels, or the passthrough image decoded. */
  static RgbPixels pixels(FaceRecord f) throws ImageDecodeException {
    if (f.hasAligned()) {
      return new RgbPixels(f.getAligned().getWidth(), f.getAligned().getHeight(), f.getAligned().getPixels().toByteArray());
    }
    return ImageCodec.decode(f.getEncoded().getData().toByteArray());
  }

  @Override
  public void close() {
    predictor.close();
  }
}
