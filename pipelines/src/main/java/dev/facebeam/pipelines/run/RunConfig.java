package dev.facebeam.pipelines.run;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.facebeam.UserInputException;
import dev.facebeam.config.ConfigSchema;
import dev.facebeam.pipelines.embed.ModelOptions;
import dev.facebeam.pipelines.embed.ModelParams;
import java.nio.file.Path;
import java.util.List;

/**
 * A {@code run} config (configs/demo-run.json) as one record: checked by {@code run.schema.json},
 * then read member by name ({@code channel_order} ↔ {@code channelOrder}). What it leaves out is
 * null here and the command line's default where it is used.
 */
public record RunConfig(String description, String dataset, List<String> targets, String model, String engine, Float mean,
    Float scale, String channelOrder, Integer inputSize, Boolean flip, Integer batchSize, Boolean demoFallback,
    Megaface megaface, Ijb ijb) {

  static final String SCHEMA = "/facebeam/run.schema.json";
  private static final Gson GSON = new GsonBuilder().setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES).create();

  /**
   * The optional MegaFace stage. {@code text} is the section as the config gives it (compact JSON,
   * the user's order), which fingerprints the stage's parameters.
   */
  public record Megaface(String pack, String sizes, String far, Integer topK, String text) {}

  /** The optional IJB stage: the testsuite folder, its target (default: from the meta files) and the mode (default N1D1F2). */
  public record Ijb(String root, String target, String mode) {}

  /** Reads and checks a config; every problem is an error naming the file and the field. */
  public static RunConfig read(Path file) {
    JsonObject c = ConfigSchema.readObject(file);
    List<String> errors = ConfigSchema.load(SCHEMA).validate(c);
    if (!errors.isEmpty()) {
      throw new UserInputException(file.toString(), "run config does not match " + SCHEMA + ": " + String.join("; ", errors));
    }
    RunConfig r = GSON.fromJson(c, RunConfig.class);
    if (r.targets().isEmpty() && r.megaface() == null && r.ijb() == null) {
      throw new UserInputException(file.toString(), "'targets' is empty and there is no 'megaface' or 'ijb' section: "
          + "nothing to evaluate (name the <dataset>/<target>.bin packs, e.g. \"targets\": [\"lfw\"])");
    }
    if (r.targets().size() != new java.util.HashSet<>(r.targets()).size()) {
      throw new UserInputException(file.toString(), "'targets' names a target twice: " + r.targets());
    }
    if (r.megaface() != null) {
      Megaface m = r.megaface();
      r = r.withMegaface(new Megaface(m.pack(), m.sizes(), m.far(), m.topK(), c.getAsJsonObject("megaface").toString()));
    }
    return r;
  }

  /** How the config says to run its model; what it leaves out is the command line's default. */
  ModelParams modelParams() {
    return new ModelParams(engine != null ? engine : ModelOptions.ENGINE, flip == null || flip,
        batchSize != null ? batchSize : ModelOptions.BATCH_SIZE, ModelOptions.DEVICE, mean, scale, channelOrder, inputSize);
  }

  /** The demo's generated model in place of the config's: its own descriptor says how to preprocess. */
  RunConfig withGeneratedModel(Path generated) {
    return new RunConfig(description, dataset, targets, generated.toString(), null, null, null, null, null, flip, batchSize,
        demoFallback, megaface, ijb);
  }

  private RunConfig withMegaface(Megaface megaface) {
    return new RunConfig(description, dataset, targets, model, engine, mean, scale, channelOrder, inputSize, flip, batchSize,
        demoFallback, megaface, ijb);
  }
}
