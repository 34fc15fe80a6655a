package dev.facebeam.embed;

import com.google.protobuf.util.JsonFormat;
import dev.facebeam.UserInputException;
import dev.facebeam.io.Digests;
import dev.facebeam.proto.ModelDescriptor;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A model resolved for embedding: where it is, which engine runs it, how its input is prepared.
 * The descriptor ({@code model.json} in a model folder, or {@code <file>.json} beside a model file)
 * supplies what it knows; command-line overrides win; InsightFace's defaults fill the rest.
 */
public record ModelSpec(String name, String modelPath, String engine, String block, Preprocessing preprocessing,
    int embeddingSize, String sha256) implements Serializable {

  public static final String DESCRIPTOR = "model.json";

  /** Values given on the command line; null or 0 means "not given". */
  /** Face models take 112 (ArcFace) to a few hundred pixels; outside this an input size is a typo. */
  static final int MIN_INPUT = 16;
  static final int MAX_INPUT = 1024;

  public record Overrides(String engine, Integer inputSize, Float mean, Float scale, String channelOrder) {
    public static final Overrides NONE = new Overrides(null, null, null, null, null);
  }

  public static ModelSpec resolve(Path model, Overrides o) {
    if (!Files.exists(model)) {
      throw new UserInputException(model.toString(), "no such model file or folder");
    }
    ModelDescriptor d = ModelDescriptor.getDefaultInstance();
    Path file;
    Path descriptor = null;
    if (Files.isDirectory(model)) {
      descriptor = model.resolve(DESCRIPTOR);
      if (!Files.isRegularFile(descriptor)) {
        throw new UserInputException(model.toString(), "a model folder needs a " + DESCRIPTOR + " descriptor");
      }
      d = readDescriptor(descriptor);
      if (d.getFile().isEmpty()) {
        throw new UserInputException(descriptor.toString(), "descriptor does not name the model file ('file')");
      }
      file = insideFolder(model, descriptor, d.getFile());
    } else {
      file = model;
      Path beside = model.resolveSibling(model.getFileName() + ".json");
      if (Files.isRegularFile(beside)) {
        descriptor = beside;
        d = readDescriptor(beside);
      } else if (model.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(onnx|pt|pth|torchscript)") && Files.isRegularFile(model)) {
        d = exportedDescriptor(model); // facebeam's export carries the preprocessing in the model file
      }
    }
    if (!Files.isRegularFile(file)) {
      throw new UserInputException(file.toString(), "model file missing" + (descriptor == null ? "" : " (named by " + descriptor + ")"));
    }
    if (!Files.isReadable(file)) {
      throw new UserInputException(file.toString(), "model file is not readable");
    }
    String engine = pick(o.engine(), d.getEngine(), engineFor(file));
    if (engine.equalsIgnoreCase("auto")) {
      engine = engineFor(file);
    }
    engine = switch (engine.toLowerCase(Locale.ROOT)) {
      case "pytorch" -> "PyTorch";
      case "onnxruntime", "onnx" -> "OnnxRuntime";
      default -> throw new UserInputException(file.toString(), "unknown engine '" + engine + "' (PyTorch or OnnxRuntime)");
    };
    String from = descriptor != null ? descriptor.toString() : file.toString(); // where the descriptor's values came from
    String order = pick(o.channelOrder(), d.getChannelOrder(), "RGB").toUpperCase(Locale.ROOT);
    if (!order.equals("RGB") && !order.equals("BGR")) {
      boolean flag = o.channelOrder() != null && !o.channelOrder().isEmpty() && !o.channelOrder().equalsIgnoreCase("auto");
      throw new UserInputException(flag ? "--channelOrder" : from,
          "'" + order + "' is not a channel order (allowed: RGB, BGR)");
    }
    int size = o.inputSize() != null ? o.inputSize() : d.getInputSize() > 0 ? d.getInputSize() : 112;
    if (size < MIN_INPUT || size > MAX_INPUT) {
      throw new UserInputException(o.inputSize() != null ? "--inputSize" : from,
          "input size " + size + " is out of range: " + MIN_INPUT + " to " + MAX_INPUT + " pixels");
    }
    float mean = o.mean() != null ? o.mean() : d.getScale() != 0 ? d.getMean() : Preprocessing.INSIGHTFACE.mean();
    float scale = o.scale() != null ? o.scale() : d.getScale() != 0 ? d.getScale() : Preprocessing.INSIGHTFACE.scale();
    if (!Float.isFinite(mean) || !Float.isFinite(scale) || scale == 0) {
      throw new UserInputException(o.mean() != null || o.scale() != null ? "--mean/--scale" : from,
          "mean " + mean + " and scale " + scale + " must be finite, with a scale other than 0");
    }
    String name = !d.getName().isEmpty() ? d.getName() : file.getFileName().toString().replaceAll("\\.[^.]*$", "");
    if (engine.equals("OnnxRuntime")) {
      dev.facebeam.embed.OnnxExternalData.check(file); // before any engine sees the file
    }
    String sha;
    try {
      sha = Digests.sha256(file);
    } catch (IOException e) {
      throw new UserInputException(file.toString(), "cannot read model file: " + e.getMessage(), e);
    }
    return new ModelSpec(name, file.toAbsolutePath().toString(), engine, d.getBlock(),
        new Preprocessing(size, mean, scale, order.equals("BGR")), d.getEmbeddingSize(), sha);
  }

  /** The model file a folder's descriptor names: inside that folder, also after following links. */
  static Path insideFolder(Path folder, Path descriptor, String name) {
    Path dir = folder.toAbsolutePath().normalize();
    Path file;
    try {
      file = dir.resolve(name).normalize();
    } catch (java.nio.file.InvalidPathException e) {
      throw new UserInputException(descriptor.toString(), "'file' is not a path: " + e.getReason());
    }
    String outside = "'file' names " + name + ", outside the model folder " + dir + "; the model file must sit in its folder";
    if (Path.of(name).isAbsolute() || !file.startsWith(dir) || file.equals(dir)) {
      throw new UserInputException(descriptor.toString(), outside);
    }
    try {
      if (Files.exists(file) && !file.toRealPath().startsWith(dir.toRealPath())) {
        throw new UserInputException(descriptor.toString(), outside + " (through a link to " + file.toRealPath() + ")");
      }
    } catch (IOException e) {
      throw new UserInputException(file.toString(), "cannot resolve: " + e.getMessage(), e);
    }
    return file;
  }

  /** The descriptor an exported ONNX model or TorchScript archive carries (docs/export.md), or the empty one. */
  static ModelDescriptor exportedDescriptor(Path file) {
    String json;
    String where;
    try {
      if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".onnx")) {
        json = dev.facebeam.graph.OnnxMetadata.read(file).get(dev.facebeam.graph.OnnxMetadata.MODEL);
        where = "metadata " + dev.facebeam.graph.OnnxMetadata.MODEL;
      } else {
        json = dev.facebeam.graph.TorchScriptMetadata.descriptor(file);
        where = "extra file " + dev.facebeam.graph.TorchScriptExport.METADATA;
      }
    } catch (IOException e) {
      throw new UserInputException(file.toString(), "cannot read model file: " + e.getMessage(), e);
    }
    if (json == null) {
      return ModelDescriptor.getDefaultInstance();
    }
    ModelDescriptor.Builder b = ModelDescriptor.newBuilder();
    try {
      JsonFormat.parser().merge(json, b);
    } catch (IOException e) {
      throw new UserInputException(file.toString(), where + " is not a model descriptor: " + e.getMessage(), e);
    }
    return b.build();
  }

  static ModelDescriptor readDescriptor(Path json) {
    ModelDescriptor.Builder b = ModelDescriptor.newBuilder();
    try {
      JsonFormat.parser().merge(Files.readString(json, StandardCharsets.UTF_8), b);
    } catch (IOException e) {
      throw new UserInputException(json.toString(), "cannot read model descriptor: " + e.getMessage(), e);
    }
    return b.build();
  }

  /** Writes a descriptor as JSON (for models we save). */
  public static void writeDescriptor(Path json, ModelDescriptor d) throws IOException {
    Files.writeString(json, JsonFormat.printer().print(d) + "\n", StandardCharsets.UTF_8);
  }

  static String engineFor(Path file) {
    String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (n.endsWith(".onnx")) {
      return "OnnxRuntime";
    }
    if (n.endsWith(".pt") || n.endsWith(".pth") || n.endsWith(".torchscript") || n.endsWith(".params")) {
      return "PyTorch";
    }
    throw new UserInputException(file.toString(), "cannot tell the engine from the file name; pass --engine=PyTorch|OnnxRuntime");
  }

  private static String pick(String flag, String descriptor, String fallback) {
    if (flag != null && !flag.isEmpty() && !flag.equalsIgnoreCase("auto")) {
      return flag;
    }
    if (descriptor != null && !descriptor.isEmpty()) {
      return descriptor;
    }
    return fallback;
  }

  /** True for DJL-native models: parameters saved by DJL plus a registered block. */
  public boolean isDjlNative() {
    return block != null && !block.isEmpty();
  }
}
