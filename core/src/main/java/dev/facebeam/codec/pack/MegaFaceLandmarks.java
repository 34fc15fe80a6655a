package dev.facebeam.codec.pack;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code <image>.json} files that come with MegaFace distractors (docs/formats.md): a bounding box and
 * landmarks keyed "0", "1", "2", … of which InsightFace uses "1", "0", "2" as image-left eye,
 * image-right eye and nose.
 */
public record MegaFaceLandmarks(double[] bbox, double[][] threePoints) {
  static final long MAX_JSON_BYTES = 1 << 20;

  public static MegaFaceLandmarks read(Path json) throws IOException {
    if (Files.size(json) > MAX_JSON_BYTES) {
      throw new IOException("landmark JSON larger than 1 MiB");
    }
    Struct.Builder root = Struct.newBuilder();
    try {
      JsonFormat.parser().ignoringUnknownFields().merge(Files.readString(json, StandardCharsets.UTF_8), root);
    } catch (com.google.protobuf.InvalidProtocolBufferException | RuntimeException e) {
      throw new IOException("malformed landmark JSON: " + e.getMessage());
    }
    double[] bbox = null;
    Value bb = root.getFieldsMap().get("bounding_box");
    if (bb != null && bb.hasStructValue()) {
      Struct s = bb.getStructValue();
      double x = number(s, "x");
      double y = number(s, "y");
      bbox = new double[] {x, y, x + number(s, "width"), y + number(s, "height")};
    }
    double[][] points = null;
    Value lm = root.getFieldsMap().get("landmarks");
    if (lm != null && lm.hasStructValue()) {
      Struct l = lm.getStructValue();
      if (l.containsFields("0") && l.containsFields("1") && l.containsFields("2")) {
        points = new double[3][];
        String[] order = {"1", "0", "2"};
        for (int i = 0; i < 3; i++) {
          Struct p = l.getFieldsOrThrow(order[i]).getStructValue();
          points[i] = new double[] {number(p, "x"), number(p, "y")};
        }
      }
    }
    return new MegaFaceLandmarks(bbox, points);
  }

  private static double number(Struct s, String key) throws IOException {
    Value v = s.getFieldsMap().get(key);
    if (v == null || !v.hasNumberValue() || !Double.isFinite(v.getNumberValue())) {
      throw new IOException("landmark JSON field '" + key + "' is missing or not a number");
    }
    return v.getNumberValue();
  }
}
