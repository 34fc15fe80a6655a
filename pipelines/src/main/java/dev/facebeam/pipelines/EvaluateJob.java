package dev.facebeam.pipelines;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.facebeam.UserInputException;
import dev.facebeam.config.Options;
import dev.facebeam.embed.ModelSpec;
import dev.facebeam.io.OutputGuard;
import dev.facebeam.io.StageFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code evaluate}: for every {@code <target>.bin} of a dataset folder, ingest → embed → verify on
 * the chosen runner, then the seed's results table (accuracy-flip in percent, two decimals), one row
 * per model; rows of earlier runs into the same output are kept.
 */
public final class EvaluateJob {
  /** The seed's column names for the verification targets. */
  static final Map<String, String> COLUMNS = Map.of(
      "lfw", "LFW", "cfp_ff", "CFP-FF", "cfp_fp", "CFP-FP", "agedb_30", "AgeDB-30",
      "calfw", "CALFW", "cplfw", "CPLFW", "vgg2_fp", "VGG2-FP");

  private EvaluateJob() {}

  /** What one evaluate run found: accuracy-flip per target (null where the pack was missing). */
  public record Result(String model, Map<String, Double> accuracyFlip, List<String> missing, Path table) {}

  public static Result run(EvaluateOptions options) {
    Path dataset = Path.of(options.getDataset());
    if (!Files.isDirectory(dataset)) {
      throw new UserInputException(dataset.toString(), "no such dataset folder");
    }
    List<String> targets = new ArrayList<>();
    for (String t : Options.list(options.getTargets())) {
      targets.add(OutputGuard.plainName("--targets", t));
    }
    Path output = OutputGuard.claim("--output", options.getOutput(), "evaluate", List.of(dataset, Path.of(options.getModel())));
    // The same overrides embed will use, so a model whose engine only --engine names resolves here too.
    ModelSpec spec = ModelSpec.resolve(Path.of(options.getModel()), new ModelSpec.Overrides(options.getEngine(),
        options.getInputSize(), options.getMean(), options.getScale(), options.getChannelOrder()));
    String model = spec.name();
    Map<String, Double> acc = new LinkedHashMap<>();
    List<String> missing = new ArrayList<>();
    for (String target : targets) {
      Path bin = dataset.resolve(target + ".bin");
      if (!Files.isRegularFile(bin)) {
        missing.add(target);
        acc.put(target, null);
        continue;
      }
      Path base = output.resolve(target);
      TargetStages.ingest(options, bin, "bin", base.resolve("ingest"));
      TargetStages.embed(options, base.resolve("ingest"), base.resolve("embed"));
      VerifyJob.Report r = TargetStages.verify(options, base.resolve("embed"), base.resolve("verify"), target);
      acc.put(target, r.flip() != null ? r.flip().accuracy() : r.plain().accuracy());
    }
    options.setOutput(output.toString());
    Path table = writeTable(output, model, spec.sha256(), targets, acc);
    return new Result(model, acc, missing, table);
  }

  /**
   * Merges this run into results.json and rewrites results.md. A row is one model file — (name,
   * SHA-256) — and a cell one target: this run replaces only the cells it computed; every other row
   * and cell stays, and a target whose pack was missing this time keeps its earlier number.
   */
  static Path writeTable(Path output, String model, String sha, List<String> targets, Map<String, Double> acc) {
    try {
      Path json = output.resolve("results.json");
      JsonObject all = Files.exists(json) ? readResults(json) : new JsonObject();
      JsonArray columns = all.has("targets") ? all.getAsJsonArray("targets") : new JsonArray();
      JsonArray rows = all.has("rows") ? all.getAsJsonArray("rows") : new JsonArray();
      for (String t : targets) {
        if (!columns.contains(new JsonPrimitive(t))) {
          columns.add(t);
        }
      }
      JsonObject row = null;
      for (JsonElement r : rows) {
        JsonObject o = r.getAsJsonObject();
        if (o.get("model").getAsString().equals(model) && o.get("sha256").getAsString().equals(sha)) {
          row = o;
        }
      }
      if (row == null) {
        row = new JsonObject();
        row.addProperty("model", model);
        row.addProperty("sha256", sha);
        row.add("accuracy_flip", new JsonObject());
        rows.add(row);
      }
      JsonObject cells = row.getAsJsonObject("accuracy_flip");
      for (String t : targets) {
        Double a = acc.get(t);
        if (a != null) {
          cells.addProperty(t, a);
        } else if (!cells.has(t)) {
          cells.add(t, JsonNull.INSTANCE);
        }
      }
      JsonObject out = new JsonObject();
      out.addProperty("metric", "accuracy-flip, 10-fold mean (InsightFace verification.py)");
      out.add("targets", columns);
      out.add("rows", rows);
      StageFiles.writeAtomically(json, new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(out) + "\n");
      StageFiles.writeAtomically(output.resolve("results.md"), markdown(out));
      return output.resolve("results.md");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the results table: " + e.getMessage(), e);
    }
  }

  private static JsonObject readResults(Path json) throws IOException {
    try {
      JsonObject o = JsonParser.parseString(Files.readString(json, StandardCharsets.UTF_8)).getAsJsonObject();
      for (JsonElement r : o.getAsJsonArray("rows")) {
        r.getAsJsonObject().get("model").getAsString();
        r.getAsJsonObject().get("sha256").getAsString();
        r.getAsJsonObject().getAsJsonObject("accuracy_flip");
      }
      o.getAsJsonArray("targets");
      return o;
    } catch (RuntimeException e) {
      throw new UserInputException(json.toString(), "not a results table this version wrote (" + e.getMessage()
          + "); refusing to overwrite it: choose another --output");
    }
  }

  static String markdown(JsonObject all) {
    List<String> targets = new ArrayList<>();
    all.getAsJsonArray("targets").forEach(t -> targets.add(t.getAsString()));
    List<JsonObject> rows = new ArrayList<>();
    all.getAsJsonArray("rows").forEach(r -> rows.add(r.getAsJsonObject()));
    rows.sort(java.util.Comparator.comparing((JsonObject r) -> r.get("model").getAsString())
        .thenComparing(r -> r.get("sha256").getAsString()));
    StringBuilder sb = new StringBuilder("# Verification results (accuracy-flip, %)\n\n| model |");
    for (String t : targets) {
      sb.append(' ').append(COLUMNS.getOrDefault(t, t)).append(" |");
    }
    sb.append("\n| --- |");
    sb.append(" ---: |".repeat(targets.size())).append('\n');
    for (JsonObject row : rows) {
      String name = row.get("model").getAsString();
      boolean shared = rows.stream().filter(r -> r.get("model").getAsString().equals(name)).count() > 1;
      String sha = row.get("sha256").getAsString();
      sb.append("| ").append(name).append(shared ? " (" + sha.substring(0, Math.min(12, sha.length())) + ")" : "").append(" |");
      JsonObject cells = row.getAsJsonObject("accuracy_flip");
      for (String t : targets) {
        JsonElement v = cells.get(t);
        sb.append(' ').append(v == null || v.isJsonNull() ? "–" : String.format(Locale.ROOT, "%.2f", 100 * v.getAsDouble())).append(" |");
      }
      sb.append('\n');
    }
    return sb.toString();
  }
}
