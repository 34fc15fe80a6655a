package dev.facebeam.train;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.facebeam.UserInputException;
import dev.facebeam.io.Json;
import dev.facebeam.io.StageFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code lr-probe.json}, one type that writes and reads it: each rate's curve (steps and mean
 * Accuracy-Flip, or why it stopped) and the recommended rate (null when none trained).
 */
public record LrProbeReport(List<LrProbe.Curve> runs, Double recommended) {
  static final String FILE = "lr-probe.json";

  /** One run per line, as the stage has always written it. */
  String toJson() {
    StringBuilder json = new StringBuilder("{\n  \"runs\": [\n");
    for (int i = 0; i < runs.size(); i++) {
      LrProbe.Curve c = runs.get(i);
      json.append("    {\"lr\": ").append(Json.number(c.lr())).append(", \"steps\": ")
          .append(Json.array(c.steps().stream().mapToDouble(Long::doubleValue).toArray())).append(", \"accuracy_flip\": ")
          .append(Json.array(c.accuracy().stream().mapToDouble(Double::doubleValue).toArray())).append(", \"failure\": ")
          .append(c.failure() == null ? "null" : Json.quote(c.failure())).append("}").append(i < runs.size() - 1 ? ",\n" : "\n");
    }
    return json.append("  ],\n  \"recommended\": ").append(recommended == null ? "null" : Json.number(recommended))
        .append("\n}\n").toString();
  }

  void write(Path dir) throws IOException {
    StageFiles.writeAtomically(dir.resolve(FILE), toJson());
  }

  static LrProbeReport read(Path file) {
    try {
      JsonObject o = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
      List<LrProbe.Curve> runs = new ArrayList<>();
      for (JsonElement e : o.getAsJsonArray("runs")) {
        JsonObject r = e.getAsJsonObject();
        List<Long> steps = new ArrayList<>();
        r.getAsJsonArray("steps").forEach(s -> steps.add(Math.round(s.getAsDouble())));
        List<Double> accuracy = new ArrayList<>();
        JsonArray a = r.getAsJsonArray("accuracy_flip");
        a.forEach(v -> accuracy.add(v.isJsonNull() ? Double.NaN : v.getAsDouble()));
        runs.add(new LrProbe.Curve(r.get("lr").getAsDouble(), steps, accuracy,
            r.get("failure").isJsonNull() ? null : r.get("failure").getAsString()));
      }
      JsonElement best = o.get("recommended");
      return new LrProbeReport(runs, best == null || best.isJsonNull() ? null : best.getAsDouble());
    } catch (IOException | RuntimeException e) {
      throw new UserInputException(file.toString(), "not an lr-probe report: " + e.getMessage(), e);
    }
  }
}
