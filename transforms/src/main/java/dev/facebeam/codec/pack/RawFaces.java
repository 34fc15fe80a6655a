package dev.facebeam.codec.pack;

import com.google.protobuf.ByteString;
import dev.facebeam.codec.image.ImageFormat;
import dev.facebeam.proto.EncodedImage;
import dev.facebeam.proto.FaceRecord;
import dev.facebeam.proto.Role;

/** Builders for raw face records as the readers emit them. */
public final class RawFaces {
  private RawFaces() {}

  /** A record id: the pack's prefix and a zero-padded position, safe as a file name and sortable. */
  public static String id(String prefix, long index) {
    return String.format("%s-%09d", prefix, index);
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
