package dev.facebeam.align;

import com.google.protobuf.ByteString;
import dev.facebeam.codec.image.ImageCodec;
import dev.facebeam.codec.image.ImageDecodeException;
import dev.facebeam.codec.image.RgbPixels;
import dev.facebeam.proto.AlignMethod;
import dev.facebeam.proto.FaceRecord;
import dev.facebeam.proto.Point;
import dev.facebeam.proto.RgbImage;

/** Decode and align one raw face record: the pure core each ingest task runs (ShardIngest). */
public final class FacePreparation {
  private FacePreparation() {}

  /**
   * The aligned record, and its 112×112 pixels for whoever needs them next (PNG export): null from
   * {@link #prepare} for a crop passed through as stored.
   */
  public record Prepared(FaceRecord record, RgbPixels pixels) {}

  /** A face that cannot be prepared, with the reason that goes into rejects.jsonl. */
  public static final class RejectedFace extends Exception {
    public RejectedFace(String reason, Throwable cause) {
      super(reason, cause);
    }
  }

  /**
   * The record as ingest writes it. A face that is already a 112×112 crop to pass through (no
   * landmarks, or declared aligned) keeps its bytes without a pixel decoded, where reading its markers
   * and Huffman codes proves that the decode would succeed and give that size (ImageCodec.decodesTo);
   * the record is the one a decode would have given. Anything else is decoded (and rejected) as always.
   */
  public static Prepared prepare(FaceRecord raw) throws RejectedFace {
    byte[] data = raw.getEncoded().getData().toByteArray();
    boolean mayPassThrough = raw.getDeclaredAligned() || raw.getLandmarksCount() == 0;
    if (mayPassThrough && ImageCodec.decodesTo(data, FaceAligner.SIZE, FaceAligner.SIZE)) {
      FaceRecord out = raw.toBuilder()
          .setAlignMethod(AlignMethod.PASSTHROUGH)
          .setSourceWidth(FaceAligner.SIZE)
          .setSourceHeight(FaceAligner.SIZE)
          .setWidth(FaceAligner.SIZE)
          .setHeight(FaceAligner.SIZE)
          .build();
      return new Prepared(out, null);
    }
    return decodeAndAlign(raw, data);
  }

  /** {@link #prepare}, always decoding: the pixels come with the record. */
  public static Prepared prepareWithPixels(FaceRecord raw) throws RejectedFace {
    return decodeAndAlign(raw, raw.getEncoded().getData().toByteArray());
  }

  private static Prepared decodeAndAlign(FaceRecord raw, byte[] data) throws RejectedFace {
    RgbPixels img;
    try {
      img = ImageCodec.decode(data);
    } catch (ImageDecodeException e) {
      throw new RejectedFace(e.getMessage(), e);
    } catch (OutOfMemoryError e) {
      throw new RejectedFace("image too large to decode in this worker's memory", e);
    }
    double[][] landmarks = null;
    if (raw.getLandmarksCount() > 0) {
      landmarks = new double[raw.getLandmarksCount()][];
      for (int i = 0; i < landmarks.length; i++) {
        Point p = raw.getLandmarks(i);
        landmarks[i] = new double[] {p.getX(), p.getY()};
      }
    }
    double[] bbox = raw.hasBbox()
        ? new double[] {raw.getBbox().getX1(), raw.getBbox().getY1(), raw.getBbox().getX2(), raw.getBbox().getY2()}
        : null;
    FaceAligner.Aligned aligned;
    try {
      aligned = FaceAligner.align(img, landmarks, bbox, raw.getDeclaredAligned());
    } catch (IllegalArgumentException e) {
      throw new RejectedFace("cannot align: " + e.getMessage(), e);
    }
    FaceRecord.Builder out = raw.toBuilder()
        .setAlignMethod(aligned.method())
        .setSourceWidth(img.width())
        .setSourceHeight(img.height());
    RgbPixels face;
    if (aligned.method() == AlignMethod.PASSTHROUGH) {
      face = img;
    } else {
      face = aligned.pixels();
      out.clearEncoded().setAligned(RgbImage.newBuilder()
          .setWidth(face.width())
          .setHeight(face.height())
          .setPixels(ByteString.copyFrom(face.rgb())));
    }
    out.setWidth(face.width()).setHeight(face.height());
    return new Prepared(out.build(), face);
  }
}
