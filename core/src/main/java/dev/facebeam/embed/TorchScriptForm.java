package dev.facebeam.embed;

import ai.djl.Device;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.ZooModel;
import dev.facebeam.graph.NetworkGraph;
import dev.facebeam.graph.Parity;
import dev.facebeam.graph.TorchScriptExport;
import dev.facebeam.io.StageFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

/**
 * The fastest exact way embed runs a DJL-native network on the PyTorch engine (docs/export.md): its
 * inference form — every BatchNorm after a convolution or the FC folded, one {@code torch.prelu}
 * per PReLU, the input laid out channels-last — written as a TorchScript archive and run by
 * libtorch's TorchScript interpreter. The archive is prepared on load and cached by the checkpoint's
 * SHA-256 (in {@code ~/.facebeam/inference/}, or the folder {@code FACEBEAM_INFERENCE_CACHE} or the
 * system property {@code facebeam.inferenceCache} names); before use it is
 * checked against the trained network on random images within export's parity bounds.
 */
final class TorchScriptForm {
  /** Bumped when the archive this class writes changes, so older cached ones are not used. */
  static final String VERSION = "ts1";

  /** The loaded archive and what embed's manifest says of it. */
  record Loaded(ZooModel<NDList, NDList> model, String form) {}

  private TorchScriptForm() {}

  /** The TorchScript form of {@code trained}, or null when a block has no TorchScript form (embed then folds in DJL). */
  static Loaded load(ModelSpec spec, ZooModel<NDList, NDList> trained, Device device) {
    int n = spec.preprocessing().inputSize();
    NetworkGraph graph;
    try {
      graph = NetworkGraph.of(trained.getBlock(), new Shape(1, 3, n, n));
    } catch (UnsupportedOperationException e) {
      return null; // e.g. a ReLU or pooling block: the DJL inference form serves
    }
    NetworkGraph folded = graph.folded();
    int folds = graph.batchNorms() - folded.batchNorms();
    // Channels-last first (the faster layout); where libtorch's kernels for it miss the bounds on this CPU
    // (oneDNN's AVX-512 convolutions did on an AMD EPYC with AVX-512 BF16: cosine 0.997), the plain layout.
    for (boolean channelsLast : new boolean[] {true, false}) {
      String layout = channelsLast ? "channels-last input" : "NCHW input";
      Path file = cacheFolder().resolve(spec.sha256() + "-" + spec.block() + "-" + spec.embeddingSize() + "-" + VERSION + (channelsLast ? "" : "-nchw") + ".pt");
      try {
        if (!Files.isRegularFile(file)) {
          Files.createDirectories(file.getParent());
          StageFiles.writeAtomically(file, TorchScriptExport.export(folded, Map.of(), channelsLast));
        }
      } catch (java.io.IOException e) {
        System.err.println("embed: cannot cache the TorchScript form in " + file.getParent() + " (" + e.getMessage()
            + "); running the DJL inference form");
        return null;
      }
      ZooModel<NDList, NDList> script;
      try {
        script = dev.facebeam.graph.TorchScriptRunner.load(file, device);
      } catch (Exception e) {
        throw new IllegalStateException("cannot load the TorchScript form " + file + ": " + e.getMessage(), e);
      }
      Parity parity = parity(trained, script, n, device);
      if (parity.holds()) {
        return new Loaded(script, "inference form as TorchScript (libtorch's interpreter): " + folds
            + " BatchNorms folded into the layer before them, PReLU as torch.prelu, " + layout + "; parity with the trained form "
            + String.format(java.util.Locale.ROOT, "%.2g", parity.maxRelativeDifference()) + " (cached as " + file + ")");
      }
      script.close();
      System.err.println("embed: the TorchScript form of " + spec.modelPath() + " with " + layout + " is outside the parity bounds (" + parity
          + (channelsLast ? "); trying NCHW input" : "); running the DJL inference form"));
    }
    return null;
  }

  static Path cacheFolder() {
    String property = System.getProperty("facebeam.inferenceCache");
    if (property != null && !property.isBlank()) {
      return Path.of(property);
    }
    String env = System.getenv("FACEBEAM_INFERENCE_CACHE");
    return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".facebeam", "inference");
  }

  /** Both forms on the same two random images. */
  private static Parity parity(ZooModel<NDList, NDList> trained, ZooModel<NDList, NDList> script, int n, Device device) {
    Random rnd = new Random(20261202L);
    float[] x = new float[2 * 3 * n * n];
    for (int i = 0; i < x.length; i++) {
      x[i] = rnd.nextFloat() * 2 - 1;
    }
    try (Predictor<NDList, NDList> a = trained.newPredictor(device); Predictor<NDList, NDList> b = script.newPredictor(device);
         NDManager m = trained.getNDManager().newSubManager()) {
      float[] ea = a.predict(new NDList(m.create(x, new Shape(2, 3, n, n)))).get(0).toFloatArray();
      float[] eb = b.predict(new NDList(m.create(x, new Shape(2, 3, n, n)))).get(0).toFloatArray();
      return ea.length == eb.length ? Parity.NONE.with(ea, eb, 2, ea.length / 2) : new Parity(2, -1, Double.POSITIVE_INFINITY);
    } catch (ai.djl.translate.TranslateException e) {
      throw new IllegalStateException("the TorchScript form does not run: " + e.getMessage(), e);
    }
  }
}
