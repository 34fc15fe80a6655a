package dev.facebeam.train;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.facebeam.UserInputException;
import dev.facebeam.io.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One line of a training run's {@code metrics.jsonl}, one type that writes and reads it: the loss
 * every {@code frequent} steps, a verification check per target, or the step where the loss
 * diverged. Numbers JSON cannot hold (NaN, infinities) are written as null and read back as NaN.
 */
public sealed interface MetricsLine permits MetricsLine.Progress, MetricsLine.Check, MetricsLine.Diverged {
  String FILE = "metrics.jsonl";

  long step();

  /** The line's JSON text, without its newline. */
  String toJson();

  /** The loss, learning rate and throughput of the last {@code frequent} steps. */
  record Progress(long step, long epoch, double loss, double lr, double samplesPerSec) implements MetricsLine {
    @Override
    public String toJson() {
      return String.format(Locale.ROOT, "{\"step\": %d, \"epoch\": %d, \"loss\": %s, \"lr\": %s, \"samples_per_sec\": %s}",
          step, epoch, Json.number(loss), Json.number(lr), Json.number(samplesPerSec));
    }
  }

  /** One verification target at a check, and the highest accuracy so far (the checkpoint rule's). */
  record Check(long step, String target, double accuracyFlip, double accuracyFlipStd, double xnorm, double highest)
      implements MetricsLine {
    @Override
    public String toJson() {
      return String.format(Locale.ROOT,
          "{\"step\": %d, \"target\": %s, \"accuracy_flip\": %s, \"accuracy_flip_std\": %s, \"xnorm\": %s, \"highest\": %s}",
          step, Json.quote(target), Json.number(accuracyFlip), Json.number(accuracyFlipStd), Json.number(xnorm),
          Json.number(highest));
    }
  }

  /** The step whose loss was not finite: training stopped there. */
  record Diverged(long step, long epoch, double lr) implements MetricsLine {
    @Override
    public String toJson() {
      return String.format(Locale.ROOT, "{\"step\": %d, \"epoch\": %d, \"loss\": null, \"lr\": %s, \"diverged\": true}",
          step, epoch, Json.number(lr));
    }
  }

  /** One line's type, told by its members; {@code where} names the file and line in an error. */
  static MetricsLine parse(String line, String where) {
    try {
      JsonObject o = JsonParser.parseString(line).getAsJsonObject();
      long step = o.get("step").getAsLong();
      if (o.has("diverged")) {
        return new Diverged(step, o.get("epoch").getAsLong(), number(o, "lr"));
      }
      if (o.has("target")) {
        return new Check(step, o.get("target").getAsString(), number(o, "accuracy_flip"), number(o, "accuracy_flip_std"),
            number(o, "xnorm"), number(o, "highest"));
      }
      return new Progress(step, o.get("epoch").getAsLong(), number(o, "loss"), number(o, "lr"), number(o, "samples_per_sec"));
    } catch (RuntimeException e) {
      throw new UserInputException(where, "not a metrics line: " + e.getMessage(), e);
    }
  }

  /** Every line of a run's metrics file, in order. */
  static List<MetricsLine> read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UserInputException(file.toString(), "cannot read the metrics: " + e.getMessage(), e);
    }
    List<MetricsLine> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      out.add(parse(lines.get(i), file + ":" + (i + 1)));
    }
    return out;
  }

  private static double number(JsonObject o, String key) {
    JsonElement e = o.get(key);
    return e == null || e.isJsonNull() ? Double.NaN : e.getAsDouble();
  }
}
