package dev.facebeam.train;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.facebeam.UserInputException;
import dev.facebeam.config.ConfigSchema;
import dev.facebeam.models.Networks;
import dev.facebeam.models.loss.MarginSoftmax;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One training run's settings: sample_config.py's defaults (docs/training.md), then the loss preset, then
 * the config file, then command-line overrides, validated by {@code train.schema.json}.
 */
public record TrainConfig(String network, String loss, String dataset, int numClasses, int embSize, double lr, List<Integer> lrSteps,
    double wd, double mom, int perBatchSize, double marginS, double marginA, double marginM, double marginB, double fc7WdMult,
    double fc7LrMult, boolean fc7NoBias, int fc7Shards, double sampleRate, double dropout, int verbose, int frequent, int ckpt, boolean ckptEmbedding, long maxSteps,
    String pretrained, List<String> valTargets, long seed, int workers, String devices, boolean randMirror, double tripletAlpha,
    int tripletBagSize, int imagesPerIdentity, double tripletMaxAp, String json) {

  /** sample_config.py's {@code default} and {@code config}, before the loss and network presets. */
  private static final String DEFAULTS = """
      {"dataset": "emore", "num_classes": 0, "emb_size": 0, "lr": 0.1, "lr_steps": [100000, 160000, 220000], "wd": 0.0005,
       "mom": 0.9, "per_batch_size": 128, "margin_s": 64.0, "margin_a": 1.0, "margin_m": 0.0, "margin_b": 0.0,
       "fc7_wd_mult": 1.0, "fc7_lr_mult": 1.0, "fc7_no_bias": false, "fc7_shards": 1, "sample_rate": 1.0, "dropout": 0.4, "verbose": 2000, "frequent": 20,
       "ckpt": 3, "ckpt_embedding": true, "max_steps": 0, "pretrained": "", "val_targets": ["lfw", "cfp_fp", "agedb_30"],
       "seed": 2048, "workers": 2, "devices": "cpu", "rand_mirror": true, "triplet_alpha": 0.3, "triplet_bag_size": 7200,
       "images_per_identity": 5, "triplet_max_ap": 0.0}
      """;

  /** The loss presets of sample_config.py (margins; triplet's lr and batch). */
  private static JsonObject lossPreset(String loss) {
    String p = switch (loss) {
      case "softmax", "nsoftmax" -> "{\"margin_a\": 1.0, \"margin_m\": 0.0, \"margin_b\": 0.0}";
      case "arcface" -> "{\"margin_a\": 1.0, \"margin_m\": 0.5, \"margin_b\": 0.0}";
      case "cosface" -> "{\"margin_a\": 1.0, \"margin_m\": 0.0, \"margin_b\": 0.35}";
      case "combined" -> "{\"margin_a\": 1.0, \"margin_m\": 0.3, \"margin_b\": 0.2}";
      case "triplet" -> "{\"lr\": 0.05, \"per_batch_size\": 60, \"triplet_alpha\": 0.3}";
      case "atriplet" -> "{\"lr\": 0.05, \"per_batch_size\": 60, \"triplet_alpha\": 0.35}";
      default -> "{}";
    };
    return JsonParser.parseString(p).getAsJsonObject();
  }

  /** Reads a config file and applies {@code name=value} overrides; every problem names the field. */
  static final String SCHEMA = "/facebeam/train.schema.json";

  public static TrainConfig load(Path file, Map<String, String> overrides) {
    ConfigSchema schema = ConfigSchema.load(SCHEMA);
    JsonObject given = ConfigSchema.readObject(file);
    for (Map.Entry<String, String> o : overrides.entrySet()) {
      try {
        given.add(o.getKey(), schema.parse(o.getKey(), o.getValue()));
      } catch (IllegalArgumentException e) {
        throw new UserInputException("--" + o.getKey(), e.getMessage(), e);
      }
    }
    List<String> errors = schema.validate(given);
    if (!errors.isEmpty()) {
      throw new UserInputException(file.toString(), "config does not match " + SCHEMA + ": " + String.join("; ", errors));
    }
    JsonObject c = JsonParser.parseString(DEFAULTS).getAsJsonObject();
    lossPreset(given.get("loss").getAsString()).entrySet().forEach(e -> c.add(e.getKey(), e.getValue()));
    given.entrySet().forEach(e -> c.add(e.getKey(), e.getValue()));
    return from(c);
  }

  /**
   * The record from the merged config: members map to components by name (emb_size ↔ embSize), so
   * a new setting is one component and one schema entry. {@code json} is the merged config as
   * written to the output's config.json, which {@link #load} reads back to the same record.
   */
  private static TrainConfig from(JsonObject merged) {
    JsonObject c = merged.deepCopy();
    String network = c.get("network").getAsString();
    if (c.get("emb_size").getAsInt() <= 0) {
      c.addProperty("emb_size", Networks.defaultEmbedding(network));
    }
    c.addProperty("json", PRETTY.toJson(merged));
    return FIELDS.fromJson(c, TrainConfig.class);
  }

  private static final Gson PRETTY = new GsonBuilder().setPrettyPrinting().create();
  private static final Gson FIELDS = new GsonBuilder().setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES).create();

  /** The field names a config (and a command-line override) may use. */
  public static java.util.Set<String> fields() {
    return ConfigSchema.load(SCHEMA).properties().keySet();
  }

  /** Parses {@code name=value} lines (the command line's overrides) in order. */
  public static Map<String, String> overrides(String lines) {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    if (lines != null) {
      for (String l : lines.split("\n")) {
        if (!l.isBlank()) {
          String[] kv = l.split("=", 2);
          out.put(kv[0], kv.length > 1 ? kv[1] : "");
        }
      }
    }
    return out;
  }

  public boolean triplet() {
    return loss.equals("triplet") || loss.equals("atriplet");
  }

  /** The classification head's loss; softmax keeps its bias unless fc7_no_bias. */
  public MarginSoftmax head() {
    return loss.equals("softmax") ? MarginSoftmax.softmax()
        : MarginSoftmax.of((float) marginS, (float) marginA, (float) marginM, (float) marginB);
  }

  /** The learning rate after {@code step} global batches: ×0.1 at each lr_steps value passed. */
  public double lrAt(long step) {
    double r = lr;
    for (int s : lrSteps) {
      if (step >= s) {
        r *= 0.1;
      }
    }
    return r;
  }
}
