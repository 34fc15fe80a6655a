package dev.facebeam.pipelines.megaface;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.facebeam.UserInputException;
import dev.facebeam.io.Json;
import dev.facebeam.io.StageOutput;
import dev.facebeam.pipelines.results.StoreRecords;
import dev.facebeam.pipelines.stage.StageLayout;
import dev.facebeam.proto.StageManifest;
import dev.facebeam.results.Metric;
import dev.facebeam.results.ResultRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The megaface stage's {@code report.json}, one type that both writes and reads it: {@code megaface}
 * writes it, {@code run} reads the rank-1 of its largest size from it (docs/megaface.md).
 */
public record MegaFaceReport(int probes, int identities, boolean noiseCleaning, int probesReplaced, long distractorsDropped,
    long noiseEntriesNotInLists, long distractorsRead, List<Integer> sizesLeftOut, long listed, long probesMissing,
    long distractorsMissing, List<String> singleImageIdentities, List<Size> sizes) {


  /** One distractor-set size; {@code tarAtFar} maps the target FAR (as written) to what was achieved. */
  public record Size(int size, long distractors, long trials, long correct, double rank1, double[] cmc,
      Map<String, double[]> tarAtFar) {}

  static MegaFaceReport of(MegaFaceResult r, boolean cleaning) {
    List<Size> sizes = new ArrayList<>();
    for (MegaFaceResult.Size s : r.sizes()) {
      Map<String, double[]> tars = new LinkedHashMap<>();
      s.tarAtFar().forEach(t -> tars.put(Double.toString(t.targetFar()), new double[] {t.tar(), t.far(), t.threshold()}));
      sizes.add(new Size(s.size(), s.distractors(), s.trials(), s.correct(), s.rank1(), s.cmc(), tars));
    }
    return new MegaFaceReport(r.probes(), r.identities(), cleaning, r.probesReplaced(), cleaning ? r.noisyDistractors() : 0,
        r.noiseEntriesNotInLists(), r.distractorsRead(), r.sizesLeftOut(), r.distractorsRead() + r.distractorsMissing(),
        r.probesMissing(), r.distractorsMissing(), r.singleImageIdentities(), sizes);
  }

  /** The rank-1 of the largest size reported, or null when none was. */
  public Double largestRank1() {
    return sizes.isEmpty() ? null : sizes.get(sizes.size() - 1).rank1();
  }

  /** The file's text, in the layout the stage has always written. */
  String toJson() {
    StringBuilder json = new StringBuilder("{\n  \"probes\": " + probes + ",\n  \"identities\": " + identities
        + ",\n  \"noise_cleaning\": {\"on\": " + noiseCleaning + ", \"probes_replaced\": " + probesReplaced
        + ", \"distractors_dropped\": " + distractorsDropped
        + ", \"noise_entries_not_in_lists\": " + noiseEntriesNotInLists + "},\n"
        + "  \"distractors_read\": " + distractorsRead + ",\n"
        + "  \"sizes_left_out\": {\"sizes\": " + sizesLeftOut + ", \"note\": "
        + Json.quote("sizes above the " + listed + " distractors in the lists are not reported") + "},\n"
        + "  \"missing_skipped\": {\"probes\": " + probesMissing + ", \"distractors\": " + distractorsMissing + "},\n"
        + "  \"single_image_identities\": {\"count\": " + singleImageIdentities.size() + ", \"note\": "
        + Json.quote("an identity with one probe image has no (probe, gallery) pair: it contributes no trials")
        + ", \"names\": [" + String.join(", ", singleImageIdentities.stream().map(Json::quote).toList()) + "]},\n"
        + "  \"scores\": \"cosine of L2-normalised embeddings\",\n  \"rank1_tie_rule\": " + Json.quote("genuine >= best distractor")
        + ",\n  \"sizes\": [\n");
    for (int i = 0; i < sizes.size(); i++) {
      Size s = sizes.get(i);
      json.append("    {\"size\": ").append(s.size()).append(", \"distractors\": ").append(s.distractors())
          .append(", \"probes\": ").append(probes).append(", \"identities\": ").append(identities)
          .append(", \"trials\": ").append(s.trials()).append(", \"correct\": ").append(s.correct())
          .append(", \"rank1\": ").append(Json.number(s.rank1())).append(", \"cmc\": ").append(Json.array(s.cmc()))
          .append(", \"tar_at_far\": {");
      int f = 0;
      for (Map.Entry<String, double[]> t : s.tarAtFar().entrySet()) {
        json.append(f++ == 0 ? "" : ", ").append(Json.quote(t.getKey())).append(": {\"tar\": ").append(Json.number(t.getValue()[0]))
            .append(", \"far\": ").append(Json.number(t.getValue()[1])).append(", \"threshold\": ")
            .append(Json.number((float) t.getValue()[2])).append("}");
      }
      json.append("}}").append(i < sizes.size() - 1 ? ",\n" : "\n");
    }
    return json.append("  ]\n}\n").toString();
  }

  void write(Path dir) throws IOException {
    Files.writeString(dir.resolve(StageLayout.REPORT_JSON), toJson(), StandardCharsets.UTF_8);
  }

  /** Reads a megaface output's report; a file that is not one is an error naming it. */
  public static MegaFaceReport read(Path file) {
    try {
      JsonObject o = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
      JsonObject noise = o.getAsJsonObject("noise_cleaning");
      JsonObject leftOut = o.getAsJsonObject("sizes_left_out");
      JsonObject missing = o.getAsJsonObject("missing_skipped");
      List<Integer> left = new ArrayList<>();
      leftOut.getAsJsonArray("sizes").forEach(e -> left.add(e.getAsInt()));
      String note = leftOut.get("note").getAsString();
      long listed = Long.parseLong(note.replaceAll("^sizes above the (\\d+) .*$", "$1"));
      List<String> single = new ArrayList<>();
      o.getAsJsonObject("single_image_identities").getAsJsonArray("names").forEach(e -> single.add(e.getAsString()));
      List<Size> sizes = new ArrayList<>();
      for (JsonElement e : o.getAsJsonArray("sizes")) {
        JsonObject s = e.getAsJsonObject();
        Map<String, double[]> tars = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> t : s.getAsJsonObject("tar_at_far").entrySet()) {
          JsonObject v = t.getValue().getAsJsonObject();
          tars.put(t.getKey(), new double[] {number(v.get("tar")), number(v.get("far")), number(v.get("threshold"))});
        }
        JsonArray cmc = s.getAsJsonArray("cmc");
        double[] c = new double[cmc.size()];
        for (int k = 0; k < c.length; k++) {
          c[k] = number(cmc.get(k));
        }
        sizes.add(new Size(s.get("size").getAsInt(), s.get("distractors").getAsLong(), s.get("trials").getAsLong(),
            s.get("correct").getAsLong(), number(s.get("rank1")), c, tars));
      }
      return new MegaFaceReport(o.get("probes").getAsInt(), o.get("identities").getAsInt(), noise.get("on").getAsBoolean(),
          noise.get("probes_replaced").getAsInt(), noise.get("distractors_dropped").getAsLong(),
          noise.get("noise_entries_not_in_lists").getAsLong(), o.get("distractors_read").getAsLong(), left, listed,
          missing.get("probes").getAsLong(), missing.get("distractors").getAsLong(), single, sizes);
    } catch (IOException | RuntimeException e) {
      throw new UserInputException(file.toString(), "not a megaface report: " + e.getMessage(), e);
    }
  }

  private static double number(JsonElement e) {
    return e == null || e.isJsonNull() ? Double.NaN : e.getAsDouble();
  }

  /** The results-store record of a megaface output: rank-1 per size, TAR@FAR and CMC at the largest (docs/results.md). */
  public static ResultRecord record(Path dir) {
    MegaFaceReport r = read(dir.resolve(StageLayout.REPORT_JSON));
    Map<String, Double> rank1 = new LinkedHashMap<>();
    r.sizes().forEach(s -> rank1.put(Integer.toString(s.size()), s.rank1()));
    Map<String, Double> tar = new LinkedHashMap<>();
    List<Double> cmc = null;
    if (!r.sizes().isEmpty()) {
      Size largest = r.sizes().get(r.sizes().size() - 1);
      largest.tarAtFar().forEach((far, v) -> {
        String key = Metric.farKey(far);
        tar.put(key != null ? key : far, Double.isFinite(v[0]) ? v[0] : null);
      });
      cmc = java.util.Arrays.stream(largest.cmc()).boxed().toList();
    }
    StageManifest m = StageOutput.requireIntact(dir);
    java.util.TreeMap<String, String> protocol = new java.util.TreeMap<>();
    for (String k : List.of("sizes", "far", "noise_cleaning", "top_k")) {
      protocol.put(k, m.getParametersOrDefault(k, ""));
    }
    ResultRecord.Metrics metrics = new ResultRecord.Metrics(null, null, null, null, null, null, null, null, tar, rank1, cmc);
    return StoreRecords.record(dir, "megaface", "megaface", ResultRecord.MEGAFACE, protocol, metrics, null, null, null);
  }
}
