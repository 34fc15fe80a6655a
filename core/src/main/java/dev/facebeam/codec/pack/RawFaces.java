package dev.facebeam.codec.pack;

import com.google.protobuf.ByteString;
import dev.facebeam.codec.image.ImageFormat;
import dev.facebeam.proto.BoundingBox;
import dev.facebeam.proto.EncodedImage;
import dev.facebeam.proto.FaceRecord;
import dev.facebeam.proto.Point;
import dev.facebeam.proto.Role;

/** Builders for raw face records as the readers emit them. */
public final class RawFaces {
  private RawFaces() {}

  /** A record id: the pack's prefix and a zero-padded position, safe as a file name and sortable. */
  public static String id(String prefix, long index) {
    return String.format("%s-%09d", prefix, index);
  }

  /** Adds a bounding box {x1, y1, x2, y2} and landmark points {x, y} when the pack has them (null otherwise). */
  public static FaceRecord.Builder withGeometry(FaceRecord.Builder b, double[] bbox, double[][] landmarks) {
    if (bbox != null) {
      b.setBbox(BoundingBox.newBuilder().setX1((float) bbox[0]).setY1((float) bbox[1]).setX2((float) bbox[2]).setY2((float) bbox[3]));
    }
    if (landmarks != null) {
      for (double[] p : landmarks) {
        b.addLandmarks(Point.newBuilder().setX((float) p[0]).setY((float) p[1]));
      }
    }
    return b;
  }

  public static FaceRecord.Builder raw(String id, String source, long index, Role role, byte[] image) {
    return FaceRecord.newBuilder()
        .setId(id)
        .setSource(source)
        .setIndex(index)
        .setRole(role)
        .setLabel(-1)
        .setEncoded(EncodedImage.newBuilder()
            .setFormat(ImageFormat.sniff(image).id())
            .setData(ByteString.copyFrom(image)));
  }
}
