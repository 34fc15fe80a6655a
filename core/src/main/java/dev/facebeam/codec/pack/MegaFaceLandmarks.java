package dev.facebeam.codec.pack;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import java.io.IOException;
import java.io.StringReader;
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
    JsonObject root;
    try (JsonReader reader = new JsonReader(new StringReader(Files.readString(json, StandardCharsets.UTF_8)))) {
      reader.setStrictness(Strictness.STRICT); // Gson's default would accept what JSON does not
      JsonElement parsed = JsonParser.parseReader(reader);
      if (!parsed.isJsonObject()) {
        throw new IOException("malformed landmark JSON: not an object");
      }
      root = parsed.getAsJsonObject();
    } catch (RuntimeException e) {
      throw new IOException("malformed landmark JSON: " + e.getMessage());
    }
    double[] bbox = null;
    JsonObject bb = object(root, "bounding_box");
    if (bb != null) {
      double x = number(bb, "x");
      double y = number(bb, "y");
      bbox = new double[] {x, y, x + number(bb, "width"), y + number(bb, "height")};
    }
    double[][] points = null;
    JsonObject l = object(root, "landmarks");
    if (l != null && l.has("0") && l.has("1") && l.has("2")) {
      points = new double[3][];
      String[] order = {"1", "0", "2"};
      for (int i = 0; i < 3; i++) {
        JsonObject p = object(l, order[i]);
        if (p == null) {
          throw new IOException("landmark JSON field '" + order[i] + "' is not an object");
        }
        points[i] = new double[] {number(p, "x"), number(p, "y")};
      }
    }
    return new MegaFaceLandmarks(bbox, points);
  }

  private static JsonObject object(JsonObject o, String key) {
    JsonElement e = o.get(key);
    return e != null && e.isJsonObject() ? e.getAsJsonObject() : null;
  }

  private static double number(JsonObject o, String key) throws IOException {
    JsonElement v = o.get(key);
    double d = v != null && v.isJsonPrimitive() && v.getAsJsonPrimitive().isNumber() ? v.getAsDouble() : Double.NaN;
    if (!Double.isFinite(d)) {
      throw new IOException("landmark JSON field '" + key + "' is missing or not a number");
    }
    return d;
  }
}
