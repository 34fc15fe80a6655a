package dev.facebeam.export;

import ai.djl.Device;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import com.google.protobuf.util.JsonFormat;
import dev.facebeam.UserInputException;
import dev.facebeam.align.AffineWarp;
import dev.facebeam.codec.image.ImageCodec;
import dev.facebeam.codec.image.RgbPixels;
import dev.facebeam.embed.FaceModel;
import dev.facebeam.embed.ModelSpec;
import dev.facebeam.embed.Preprocessing;
import dev.facebeam.graph.GraphRunner;
import dev.facebeam.graph.NetworkGraph;
import dev.facebeam.graph.OnnxMetadata;
import dev.facebeam.graph.Parity;
import dev.facebeam.graph.TorchScriptExport;
import dev.facebeam.graph.TorchScriptRunner;
import dev.facebeam.io.Digests;
import dev.facebeam.io.OutputGuard;
import dev.facebeam.io.StageFiles;
import dev.facebeam.io.StageOutput;
import dev.facebeam.models.Networks;
import dev.facebeam.onnx.ModelProto;
import dev.facebeam.proto.ModelDescriptor;
import dev.facebeam.proto.StageManifest;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * {@code export}: a checkpoint of one of train's networks as an ONNX graph or a TorchScript archive,
 * with its parity proved before anything is written (docs/export.md). The checkpoint runs through DJL
 * and the export through the engine users run it with — ONNX Runtime, or libtorch's TorchScript
 * interpreter — on the same inputs — random tensors in a batch of 8 and a batch of 1, and with
 * {@code faces} up to eight face images and their mirrors — and the file is written only when
 * every embedding keeps within the bounds of {@link Parity}; then {@code FILE.manifest.json} records
 * the checkpoint's SHA-256, the network, the opset and the parity figures.
 */
public final class CheckpointExport {
  public static final int OPSET = 13;
  static final int MAX_FACES = 8;

  private CheckpointExport() {}

  /** {@code batch}: 0 for a dynamic batch dimension; {@code faces}: a folder of face images, or null. */
  public record Request(Path model, Path output, String format, int opset, int batch, Path faces) {}

  public record Result(Path output, String network, String checkpointSha256, Parity parity, long bytes) {
    /** The console's lines: what was exported, how large, where, and the parity measured. */
    public String summary() {
      return String.format(java.util.Locale.ROOT, "export %s (checkpoint %s…): %,d bytes -> %s%nparity: %s", network,
          checkpointSha256.substring(0, 12), bytes, output, parity);
    }
  }

  /** The format an output file's name asks for: torchscript for *.pt, *.pth, *.torchscript; else onnx. */
  public static String formatFor(Path output) {
    String n = output.getFileName() == null ? "" : output.getFileName().toString().toLowerCase(Locale.ROOT);
    return n.matches(".*\\.(pt|pth|torchscript)") ? TORCHSCRIPT : ONNX;
  }

  public static final String ONNX = "onnx";
  public static final String TORCHSCRIPT = "torchscript";

  public static Result run(Request r, PrintStream log) {
    boolean onnx = ONNX.equals(r.format());
    if (!onnx && !TORCHSCRIPT.equals(r.format())) {
      throw new UserInputException("--format", "'" + r.format() + "': onnx or torchscript");
    }
    String name = r.output().getFileName() == null ? "" : r.output().getFileName().toString().toLowerCase(Locale.ROOT);
    if (!formatFor(r.output()).equals(r.format()) || (onnx && !name.endsWith(".onnx"))) {
      throw new UserInputException("--output=" + r.output(), onnx ? "an ONNX file is named *.onnx" : "a TorchScript archive is named *.pt");
    }
    if (onnx && (r.opset() < OnnxExport.MIN_OPSET || r.opset() > OnnxExport.MAX_OPSET)) {
      throw new UserInputException("--opset", r.opset() + " is not supported (" + OnnxExport.MIN_OPSET + " to " + OnnxExport.MAX_OPSET + ")");
    }
    if (r.batch() < 0) {
      throw new UserInputException("--batch", "dynamic or a batch size of at least 1");
    }
    if (!onnx && r.batch() > 0) {
      throw new UserInputException("--batch", r.batch() + ": a TorchScript archive runs any batch; a fixed batch is for ONNX graphs");
    }
    Path out = r.output().toAbsolutePath().normalize();
    if (!Files.isDirectory(out.getParent())) {
      throw new UserInputException("--output=" + r.output(), "no such folder: " + out.getParent());
    }
    Path sidecar = out.resolveSibling(out.getFileName() + ".manifest.json");
    OutputGuard.files("--output", r.output().toString(), "export", sidecar, List.of(out, sidecar), List.of(r.model()));
    Path folder = Files.isRegularFile(r.model()) && r.model().getFileName().toString().endsWith(".json") ? r.model().getParent() : r.model();
    if (!Files.isDirectory(folder)) {
      throw new UserInputException(r.model().toString(), "not a checkpoint: name a folder that train wrote (model.json and its .params)");
    }
    ModelSpec spec = ModelSpec.resolve(folder, ModelSpec.Overrides.NONE);
    Path descriptor = folder.resolve(ModelSpec.DESCRIPTOR);
    if (!spec.isDjlNative()) {
      throw new UserInputException(descriptor.toString(), "names no network ('block'): " + spec.engine()
          + " models need no export, embed runs them as they are");
    }
    if (!Networks.NAMES.contains(spec.block())) {
      throw new UserInputException(descriptor.toString(), "unknown block '" + spec.block() + "' (networks: " + String.join(", ", Networks.NAMES) + ")");
    }
    List<float[]> faces = r.faces() == null ? List.of() : faces(r.faces(), spec.preprocessing());
    try (FaceModel model = FaceModel.load(spec, Device.cpu(), false)) { // parity is against the trained form
      int size = spec.preprocessing().inputSize();
      NetworkGraph net = NetworkGraph.of(model.block(), new Shape(1, 3, size, size));
      byte[] bytes;
      if (onnx) {
        ModelProto graph = OnnxExport.export(net, r.opset(), r.batch(), metadata(spec, model, "OnnxRuntime", OnnxMetadata.MODEL));
        List<String> problems = OnnxChecks.problems(graph);
        if (!problems.isEmpty()) {
          throw new IllegalStateException("the exported graph breaks ONNX's rules: " + String.join("; ", problems));
        }
        bytes = graph.toByteArray();
      } else {
        bytes = TorchScriptExport.export(net, metadata(spec, model, "PyTorch", TorchScriptExport.METADATA));
      }
      Parity parity;
      try (GraphRunner runner = onnx ? new OnnxRunner(bytes) : new TorchScriptRunner(bytes)) {
        parity = parity(model, runner, r.batch(), faces);
      }
      log.println("export: checkpoint through DJL " + spec.engine() + ", " + (onnx ? "graph through ONNX Runtime" : "archive through libtorch's TorchScript interpreter")
          + ", " + parity.images() + " images compared");
      if (!parity.holds()) {
        throw new IllegalStateException("export refused, nothing written: the graph's embeddings differ from the checkpoint's beyond the"
            + " bounds (cosine ≥ " + Parity.MIN_COSINE + ", max |Δ|/‖e‖ ≤ " + Parity.MAX_RELATIVE + "): " + parity);
      }
      StageFiles.writeAtomically(out, bytes);
      StageManifest.Builder m = StageManifest.newBuilder().setStage("export").setInput(folder.toAbsolutePath().toString())
          .setRead(1).setWritten(1).setCreated(java.time.Instant.now().toString())
          .putParameters("format", r.format()).putParameters("network", spec.block()).putParameters("checkpoint_sha256", spec.sha256())
          .putParameters("batch", r.batch() == 0 ? "dynamic" : Integer.toString(r.batch()))
          .putParameters("preprocessing", spec.preprocessing().describe())
          .putParameters("parity_images", Integer.toString(parity.images()))
          .putParameters("parity_min_cosine", Double.toString(parity.minCosine()))
          .putParameters("parity_max_relative_difference", Double.toString(parity.maxRelativeDifference()))
          .addInputs(Digests.of(Path.of(spec.modelPath()), spec.modelPath(), Long.MAX_VALUE))
          .addOutputs(Digests.of(out, out.getFileName().toString(), Long.MAX_VALUE));
      if (onnx) {
        m.putParameters("opset", Integer.toString(r.opset()));
      }
      StageFiles.writeAtomically(sidecar, StageOutput.toJson(m.build()) + "\n");
      return new Result(out, spec.block(), spec.sha256(), parity, bytes.length);
    } catch (UserInputException | IllegalStateException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("export failed: " + e.getMessage(), e);
    }
  }

  /**
   * What embed needs to run the export with no flags: the preprocessing and sizes, as a model descriptor
   * (JSON) under {@code key}; and where it comes from.
   */
  static Map<String, String> metadata(ModelSpec spec, FaceModel model, String engine, String key) throws IOException {
    Preprocessing p = spec.preprocessing();
    ModelDescriptor d = ModelDescriptor.newBuilder().setName(spec.name()).setEngine(engine).setInputSize(p.inputSize())
        .setMean(p.mean()).setScale(p.scale()).setChannelOrder(p.bgr() ? "BGR" : "RGB").setEmbeddingSize(model.embeddingSize()).build();
    Map<String, String> m = new LinkedHashMap<>();
    m.put(key, JsonFormat.printer().omittingInsignificantWhitespace().print(d));
    m.put("facebeam.network", spec.block());
    m.put("facebeam.checkpoint_sha256", spec.sha256());
    m.put("facebeam.preprocessing", p.describe());
    return m;
  }

  /** Up to eight images of {@code dir} (sorted by name), resized to the input, each followed by its mirror, preprocessed. */
  static List<float[]> faces(Path dir, Preprocessing p) {
    if (!Files.isDirectory(dir)) {
      throw new UserInputException(dir.toString(), "no such folder of face images (--faces)");
    }
    List<float[]> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().limit(MAX_FACES).toList()) {
        RgbPixels px;
        try {
          px = AffineWarp.resize(ImageCodec.decode(Files.readAllBytes(f)), p.inputSize(), p.inputSize());
        } catch (dev.facebeam.codec.image.ImageDecodeException e) {
          throw new UserInputException(f.toString(), "not an image: " + e.getMessage(), e);
        }
        for (boolean mirror : new boolean[] {false, true}) {
          float[] v = new float[p.length()];
          p.write(px, mirror, v, 0);
          out.add(v);
        }
      }
    } catch (IOException e) {
      throw new UserInputException(dir.toString(), "cannot read: " + e.getMessage(), e);
    }
    if (out.isEmpty()) {
      throw new UserInputException(dir.toString(), "holds no images (--faces)");
    }
    return out;
  }

  /** The parity over random tensors (a batch of 8 and a batch of 1) and the faces (one batch), in batches of {@code fixed} when fixed. */
  static Parity parity(FaceModel model, GraphRunner exported, int fixed, List<float[]> faces) throws Exception {
    int len = model.spec().preprocessing().length();
    int size = model.spec().preprocessing().inputSize();
    int d = model.embeddingSize();
    List<List<float[]>> batches = new ArrayList<>();
    Random rnd = new Random(20261202L);
    for (int n : new int[] {8, 1}) {
      List<float[]> b = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        float[] v = new float[len];
        for (int k = 0; k < len; k++) {
          v[k] = rnd.nextFloat() * 2 - 1;
        }
        b.add(v);
      }
      batches.add(b);
    }
    if (!faces.isEmpty()) {
      batches.add(faces);
    }
    Parity parity = Parity.NONE;
    try (Predictor<NDList, NDList> predictor = model.newPredictor()) {
      for (List<float[]> images : batches) {
        int n = fixed > 0 ? fixed : images.size();
        for (int from = 0; from < images.size(); from += n) {
          float[] x = new float[n * len];
          for (int i = 0; i < n; i++) {
            System.arraycopy(images.get(Math.min(from + i, images.size() - 1)), 0, x, i * len, len);
          }
          parity = parity.with(model.forward(predictor, x, n), exported.run(x, n, size), n, d);
        }
      }
    }
    return parity;
  }
}
