package dev.facebeam.pipelines;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import dev.facebeam.io.OutputGuard;
import dev.facebeam.codec.CodecException;
import dev.facebeam.embed.ModelSpec;
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
      throw new CodecException(dataset.toString(), "no such dataset folder");
    }
    List<String> targets = new ArrayList<>();
    for (String t : options.getTargets().split(",")) {
      if (!t.isBlank()) {
        targets.add(OutputGuard.plainName("--targets", t.strip()));
      }
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

  /** Merges this model's row into results.json and rewrites results.md. */
  static Path writeTable(Path output, String model, String sha, List<String> targets, Map<String, Double> acc) {
    try {
      Files.createDirectories(output);
      Path json = output.resolve("results.json");
      Struct.Builder all = Struct.newBuilder();
      if (Files.exists(json)) {
        JsonFormat.parser().merge(Files.readString(json, StandardCharsets.UTF_8), all);
      }
      Struct.Builder rows = all.getFieldsOrDefault("models", Value.getDefaultInstance()).getStructValue().toBuilder();
      Struct.Builder row = Struct.newBuilder().putFields("sha256", Value.newBuilder().setStringValue(sha).build());
      for (String t : targets) {
        Double a = acc.get(t);
        row.putFields(t, a == null ? Value.newBuilder().setNullValueValue(0).build() : Value.newBuilder().setNumberValue(a).build());
      }
      rows.putFields(model, Value.newBuilder().setStructValue(row).build());
      all.putFields("models", Value.newBuilder().setStructValue(rows).build());
      all.putFields("metric", Value.newBuilder().setStringValue("accuracy-flip, 10-fold mean (InsightFace verification.py)").build());
      StageFiles.writeAtomically(json, JsonFormat.printer().print(all.build()) + "\n");
      StageFiles.writeAtomically(output.resolve("results.md"), markdown(all.build(), targets));
      return output.resolve("results.md");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the results table: " + e.getMessage(), e);
    }
  }

  static String markdown(Struct all, List<String> targets) {
    StringBuilder sb = new StringBuilder("# Verification results (accuracy-flip, %)\n\n| model |");
    for (String t : targets) {
      sb.append(' ').append(COLUMNS.getOrDefault(t, t)).append(" |");
    }
    sb.append("\n| --- |");
    sb.append(" ---: |".repeat(targets.size())).append('\n');
    for (Map.Entry<String, Value> row : new java.util.TreeMap<>(all.getFieldsOrThrow("models").getStructValue().getFieldsMap()).entrySet()) {
      sb.append("| ").append(row.getKey()).append(" |");
      for (String t : targets) {
        Value v = row.getValue().getStructValue().getFieldsMap().get(t);
        sb.append(' ').append(v == null || !v.hasNumberValue() ? "–" : String.format(Locale.ROOT, "%.2f", 100 * v.getNumberValue())).append(" |");
      }
      sb.append('\n');
    }
    return sb.toString();
  }
}
