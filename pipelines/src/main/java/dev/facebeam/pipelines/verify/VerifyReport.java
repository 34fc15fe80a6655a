package dev.facebeam.pipelines.verify;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.facebeam.UserInputException;
import dev.facebeam.io.Json;
import dev.facebeam.metrics.VerificationProtocol;
import dev.facebeam.pipelines.results.StoreRecords;
import dev.facebeam.pipelines.stage.StageLayout;
import dev.facebeam.proto.StageManifest;
import dev.facebeam.results.ResultRecord;
import dev.facebeam.results.RocSample;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The verify stage's {@code report.json}, one type that both writes and reads it: {@code verify}
 * writes it, {@code run} reads its table from it. Numbers that are undefined (NaN: no plain accuracy
 * without raw embeddings, VAL where a fold has no different pair) are JSON null and null here.
 */
public record VerifyReport(String target, String model, String modelSha256, int pairs, int folds, Double accuracy,
    Double accuracyStd, Double accuracyFlip, Double accuracyFlipStd, Double xnorm, double[] thresholds,
    double[] foldAccuracy, Double val, Double valStd, Double far, double farTarget, double[] tpr, double[] fpr,
    String protocol, long negatives, Map<String, Double> tarAtFar, ResultRecord.Curve roc) {

  static final String PROTOCOL = "10 contiguous folds; thresholds 0.00..3.99 step 0.01 on squared L2 "
      + "distance of unit vectors; same iff dist < threshold; first best threshold on the training folds; mean and "
      + "population std over test folds; flip fusion = sum of original and mirrored embeddings, L2-normalised";

  /** The report of a verification, with the model named by the embed output's manifest. */
  static VerifyReport of(VerifyResult r, StageManifest embed) {
    VerificationProtocol.Result main = r.flip() != null ? r.flip() : r.plain();
    return new VerifyReport(r.target(), embed.getParametersOrDefault("model_name", ""),
        embed.getParametersOrDefault("model_sha256", ""), r.pairs(), VerificationProtocol.FOLDS,
        defined(r.plain() == null ? Double.NaN : r.plain().accuracy()),
        defined(r.plain() == null ? Double.NaN : r.plain().accuracyStd()),
        defined(r.flip() == null ? Double.NaN : r.flip().accuracy()),
        defined(r.flip() == null ? Double.NaN : r.flip().accuracyStd()),
        defined(r.xnorm()), main.bestThresholds(), main.foldAccuracy(), defined(main.val()), defined(main.valStd()),
        defined(main.far()), VerificationProtocol.FAR_TARGET, main.tpr(), main.fpr(), PROTOCOL, r.negatives(),
        RocSample.tarAtFar(r.roc(), r.negatives(), r.positives()), RocSample.curve(r.roc(), r.negatives(), r.positives()));
  }

  private static Double defined(double v) {
    return Double.isFinite(v) ? v : null;
  }

  /** The file's text: one member per line, arrays on one line (the layout the stage has always written). */
  String toJson() {
    StringBuilder sb = new StringBuilder("{\n");
    field(sb, "target", Json.quote(target));
    field(sb, "model", Json.quote(model));
    field(sb, "model_sha256", Json.quote(modelSha256));
    field(sb, "pairs", Integer.toString(pairs));
    field(sb, "folds", Integer.toString(folds));
    field(sb, "accuracy", number(accuracy));
    field(sb, "accuracy_std", number(accuracyStd));
    field(sb, "accuracy_flip", number(accuracyFlip));
    field(sb, "accuracy_flip_std", number(accuracyFlipStd));
    field(sb, "xnorm", number(xnorm));
    field(sb, "thresholds", Json.array(thresholds));
    field(sb, "fold_accuracy", Json.array(foldAccuracy));
    field(sb, "val", number(val));
    field(sb, "val_std", number(valStd));
    field(sb, "far", number(far));
    field(sb, "far_target", Json.number(farTarget));
    field(sb, "tpr", Json.array(tpr));
    field(sb, "fpr", Json.array(fpr));
    field(sb, "protocol", Json.quote(protocol));
    field(sb, "negatives", Long.toString(negatives));
    StringBuilder tars = new StringBuilder("{");
    tarAtFar.forEach((k, v) -> tars.append(tars.length() > 1 ? ", " : "").append(Json.quote(k)).append(": ").append(number(v)));
    field(sb, "tar_at_far", tars.append('}').toString());
    sb.append("  \"roc\": ").append(roc == null ? "null" : "{\"far\": " + Json.array(unbox(roc.far())) + ", \"tar\": "
        + Json.array(unbox(roc.tar())) + "}").append("\n}\n");
    return sb.toString();
  }

  void write(Path dir) throws IOException {
    Files.writeString(dir.resolve(StageLayout.REPORT_JSON), toJson(), StandardCharsets.UTF_8);
  }

  /** Reads a verify output's report; a file that is not one is an error naming it. */
  public static VerifyReport read(Path file) {
    try {
      JsonObject o = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
      return new VerifyReport(o.get("target").getAsString(), o.get("model").getAsString(),
          o.get("model_sha256").getAsString(), o.get("pairs").getAsInt(), o.get("folds").getAsInt(),
          nullable(o, "accuracy"), nullable(o, "accuracy_std"), nullable(o, "accuracy_flip"), nullable(o, "accuracy_flip_std"),
          nullable(o, "xnorm"), doubles(o, "thresholds"), doubles(o, "fold_accuracy"), nullable(o, "val"),
          nullable(o, "val_std"), nullable(o, "far"), o.get("far_target").getAsDouble(), doubles(o, "tpr"),
          doubles(o, "fpr"), o.get("protocol").getAsString(), o.get("negatives").getAsLong(), tarAtFar(o),
          roc(o.get("roc")));
    } catch (IOException | RuntimeException e) {
      throw new UserInputException(file.toString(), "not a verify report: " + e.getMessage(), e);
    }
  }

  private static Map<String, Double> tarAtFar(JsonObject o) {
    Map<String, Double> m = new LinkedHashMap<>();
    o.getAsJsonObject("tar_at_far").keySet().forEach(k -> m.put(k, nullable(o.getAsJsonObject("tar_at_far"), k)));
    return m;
  }

  private static ResultRecord.Curve roc(JsonElement e) {
    if (e == null || e.isJsonNull()) {
      return null;
    }
    JsonObject o = e.getAsJsonObject();
    return new ResultRecord.Curve(boxed(doubles(o, "far")), boxed(doubles(o, "tar")));
  }

  private static double[] unbox(List<Double> v) {
    return v.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static List<Double> boxed(double[] v) {
    return java.util.Arrays.stream(v).boxed().toList();
  }

  private static void field(StringBuilder sb, String name, String value) {
    sb.append("  ").append(Json.quote(name)).append(": ").append(value).append(",\n");
  }

  private static String number(Double v) {
    return v == null ? "null" : Json.number(v);
  }

  private static Double nullable(JsonObject o, String key) {
    JsonElement e = o.get(key);
    return e == null || e.isJsonNull() ? null : e.getAsDouble();
  }

  private static double[] doubles(JsonObject o, String key) {
    JsonArray a = o.getAsJsonArray(key);
    double[] v = new double[a.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = a.get(i).isJsonNull() ? Double.NaN : a.get(i).getAsDouble();
    }
    return v;
  }

  /** The results-store record of a verify output (docs/results.md). */
  public static ResultRecord record(Path dir) {
    VerifyReport r = read(dir.resolve(StageLayout.REPORT_JSON));
    ResultRecord.Metrics metrics = new ResultRecord.Metrics(r.accuracy(), r.accuracyStd(), r.accuracyFlip(), r.accuracyFlipStd(),
        r.xnorm(), r.val(), r.valStd(), r.far(), r.tarAtFar(), null, null);
    return StoreRecords.record(dir, "verify", r.target(), ResultRecord.VERIFICATION,
        new java.util.TreeMap<>(Map.of("folds", Integer.toString(r.folds()))), metrics, r.roc(), (long) r.pairs(), r.negatives());
  }
}
