package dev.facebeam.embed;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.facebeam.UserInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A loaded face model: TorchScript or DJL-native parameters on the PyTorch engine, ONNX on
 * OnnxRuntime. Loading checks what the model gives for one image — a vector per image, of the size
 * the descriptor says — so a wrong model fails once, clearly, instead of per record.
 */
public final class FaceModel implements AutoCloseable {
  private final ModelSpec spec;
  private final ZooModel<NDList, NDList> model;
  private final Device device;
  private final int fixedBatch;
  private final int embeddingSize;
  private final String form;

  private FaceModel(ModelSpec spec, ZooModel<NDList, NDList> model, Device device, int fixedBatch, int embeddingSize, String form) {
    this.spec = spec;
    this.model = model;
    this.device = device;
    this.fixedBatch = fixedBatch;
    this.embeddingSize = embeddingSize;
    this.form = form;
  }

  /** The model as embed runs it: a DJL-native network in its inference form, BatchNorm folded (docs/export.md). */
  public static FaceModel load(ModelSpec spec, Device device) {
    return load(spec, device, true);
  }

  /**
   * {@code inferenceForm}: fold every BatchNorm that follows a convolution or the FC into it (DJL-native
   * networks; exact up to float32 rounding). Export loads the trained form, to compare against it.
   */
  public static FaceModel load(ModelSpec spec, Device device, boolean inferenceForm) {
    return load(spec, device, inferenceForm, SlotThreads.ENGINE_DEFAULT);
  }

  /**
   * {@code intraOpThreads}: ONNX Runtime's intra-op threads for this model's session (it is shared by
   * every slot of the JVM; 0 leaves ONNX Runtime's default). libtorch's count is per thread: {@link SlotThreads}.
   */
  public static FaceModel load(ModelSpec spec, Device device, boolean inferenceForm, int intraOpThreads) {
    Path file = Path.of(spec.modelPath());
    Criteria.Builder<NDList, NDList> b = Criteria.builder()
        .setTypes(NDList.class, NDList.class)
        .optEngine(spec.engine())
        .optDevice(device)
        .optTranslator(new NoopTranslator());
    if (spec.isDjlNative()) {
      String fileName = file.getFileName().toString();
      String prefix = fileName.replaceAll("-\\d{4}\\.params$", "").replaceAll("\\.params$", "");
      ai.djl.nn.Block block;
      try {
        block = BlockRegistry.create(spec.block(), spec.embeddingSize());
      } catch (IllegalArgumentException e) {
        Path descriptor = file.resolveSibling(ModelSpec.DESCRIPTOR);
        String why = message(e).startsWith("no block named") ? message(e)
            : "block '" + spec.block() + "' cannot be built (embeddingSize " + spec.embeddingSize() + "): " + message(e);
        throw new UserInputException((Files.isRegularFile(descriptor) ? descriptor : file).toString(), why, e);
      }
      b.optModelPath(file.getParent()).optModelName(prefix).optBlock(block);
    } else {
      // No block: the file is the whole model. Without a factory named here DJL scans the model's folder
      // for jars with a BlockFactory in them, and a folder holding facebeam.jar would give ONNX Runtime a block.
      b.optModelPath(file).optArgument("blockFactory", (ai.djl.nn.BlockFactory) (m, path, args) -> null);
    }
    Object quiet = spec.engine().equals("OnnxRuntime") ? quietSessionForDjl() : null;
    if (quiet != null) {
      // DJL's OrtModel takes a SessionOptions object from its options map ("sessionOptions"), which
      // Criteria types as strings: the map carries the object through erasure.
      @SuppressWarnings({"unchecked", "rawtypes"})
      Map<String, String> session = (Map) new java.util.HashMap<String, Object>(Map.of("sessionOptions", quiet));
      b.optOptions(session);
    }
    if (spec.engine().equals("OnnxRuntime") && intraOpThreads > 0 && SlotThreads.userSetting() == null) {
      b.optOption("intraOpNumThreads", Integer.toString(intraOpThreads));
    }
    int fixed = spec.engine().equals("OnnxRuntime") ? onnxFixedBatch(file) : 0;
    ZooModel<NDList, NDList> zoo;
    try {
      zoo = b.build().loadModel();
    } catch (ModelNotFoundException | MalformedModelException | IOException | RuntimeException e) {
      throw new UserInputException(file.toString(), "cannot load model with " + spec.engine() + ": " + message(e), e);
    }
    try {
      String form = spec.isDjlNative() ? "trained network as saved" : "the model file as it is";
      if (inferenceForm && spec.isDjlNative()) {
        int n = spec.preprocessing().inputSize();
        TorchScriptForm.Loaded script = spec.engine().equals("PyTorch") ? TorchScriptForm.load(spec, zoo, device) : null;
        if (script != null) {
          zoo.close();
          zoo = script.model();
          form = script.form();
        } else {
          int folds = InferenceForm.foldable(zoo.getBlock());
          zoo.setBlock(InferenceForm.fold(zoo.getBlock(), new Shape(1, 3, n, n), zoo.getNDManager()));
          form = "inference form: " + folds + " BatchNorms folded into the layer before them; PReLU as max(x, a*x) where its slopes are in [0, 1]";
        }
      }
      int size = probe(zoo, spec, Math.max(1, fixed));
      return new FaceModel(spec, zoo, device, fixed, size, form);
    } catch (UserInputException e) {
      zoo.close();
      throw e;
    } catch (RuntimeException e) {
      zoo.close();
      // e.g. DJL's "Conv2d has no initialised parameter" for a .params file that is not this network's
      throw new UserInputException(file.toString(), "cannot run the model's parameters with block '" + spec.block() + "': " + message(e), e);
    }
  }

  /** Runs zeros through the model once: checks the output is one vector per image. */
  private static int probe(ZooModel<NDList, NDList> zoo, ModelSpec spec, int batch) {
    int len = spec.preprocessing().length();
    int n = spec.preprocessing().inputSize();
    try (Predictor<NDList, NDList> p = zoo.newPredictor(); NDManager m = zoo.getNDManager().newSubManager()) {
      NDList out = p.predict(new NDList(m.create(new float[batch * len], new Shape(batch, 3, n, n))));
      Shape shape = out.get(0).getShape();
      int d = vectorSize(shape, batch);
      if (d <= 0) {
        throw new UserInputException(spec.modelPath(), "model output " + shape + " is not one vector per image");
      }
      if (spec.embeddingSize() > 0 && spec.embeddingSize() != d) {
        throw new UserInputException(spec.modelPath(), "model gives " + d + "-d embeddings but its descriptor says " + spec.embeddingSize());
      }
      return d;
    } catch (TranslateException e) {
      throw new UserInputException(spec.modelPath(), "model cannot run a " + batch + "x3x" + n + "x" + n + " input: " + message(e), e);
    }
  }

  /** (B, D) or (B, D, 1, 1) → D; anything else → -1. */
  static int vectorSize(Shape shape, int batch) {
    if (shape.dimension() < 2 || shape.get(0) != batch) {
      return -1;
    }
    for (int i = 2; i < shape.dimension(); i++) {
      if (shape.get(i) != 1) {
        return -1;
      }
    }
    return (int) shape.get(1);
  }

  /**
   * Session options that keep ONNX Runtime's own warnings (coloured lines such as "Removing
   * initializer …") off the console: only errors, which facebeam reports in its own line anyway.
   */
  public static OrtSession.SessionOptions quietSession() {
    OrtSession.SessionOptions o = new OrtSession.SessionOptions();
    try {
      o.setSessionLogLevel(ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
    } catch (OrtException e) {
      // the default level then: warnings shown, nothing lost
    }
    return o;
  }

  /**
   * {@link #quietSession()}'s options made through the class loader of DJL's ONNX Runtime engine: on
   * a session cluster DJL and ONNX Runtime's classes come from Flink's lib/ (parent-first) while ours
   * come from the job's jar, and a SessionOptions of our loader would not cast to DJL's. Null when
   * they cannot be made (ONNX Runtime's own log level then).
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static Object quietSessionForDjl() {
    try {
      OnnxRuntimeLibrary.environment();
      ClassLoader loader = ai.djl.engine.Engine.getEngine("OnnxRuntime").getClass().getClassLoader();
      Class<?> options = Class.forName("ai.onnxruntime.OrtSession$SessionOptions", true, loader);
      Class<? extends Enum> level = (Class<? extends Enum>) Class.forName("ai.onnxruntime.OrtLoggingLevel", true, loader);
      Object o = options.getConstructor().newInstance();
      options.getMethod("setSessionLogLevel", level).invoke(o, Enum.valueOf(level, "ORT_LOGGING_LEVEL_ERROR"));
      return o;
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return null;
    }
  }

  /** The batch size an ONNX graph fixes in its first input (e.g. 1), or 0 when it is dynamic. */
  static int onnxFixedBatch(Path onnx) {
    try {
      OrtEnvironment env = OnnxRuntimeLibrary.environment();
      try (OrtSession.SessionOptions o = quietSession();
           OrtSession s = env.createSession(onnx.toString(), o)) {
        NodeInfo first = s.getInputInfo().values().iterator().next();
        if (first.getInfo() instanceof TensorInfo t && t.getShape().length == 4) {
          long b = t.getShape()[0];
          return b > 0 ? (int) b : 0;
        }
        throw new UserInputException(onnx.toString(), "first input is " + first.getInfo() + ", not an NCHW image tensor");
      }
    } catch (OrtException e) {
      throw new UserInputException(onnx.toString(), "not a loadable ONNX model: " + message(e), e);
    }
  }

  /** One forward pass over a (B, 3, n, n) batch already laid out in {@code input}; returns (B, D) row-major. */
  public float[] forward(Predictor<NDList, NDList> predictor, float[] input, int batch) {
    int n = spec.preprocessing().inputSize();
    try (NDManager m = model.getNDManager().newSubManager()) {
      java.nio.ByteBuffer direct = inputBuffer(input.length);
      direct.asFloatBuffer().put(input, 0, input.length);
      NDArray x = m.create(direct, new Shape(batch, 3, n, n), ai.djl.ndarray.types.DataType.FLOAT32);
      NDList out = predictor.predict(new NDList(x));
      try {
        float[] v = out.get(0).toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
        if (v.length != batch * embeddingSize) {
          throw new IllegalStateException("model gave " + v.length + " values for " + batch + " images of " + embeddingSize);
        }
        return v;
      } finally {
        out.close();
      }
    } catch (TranslateException e) {
      throw new IllegalStateException("forward pass failed: " + message(e), e);
    }
  }

  /**
   * This thread's input buffer, native memory reused batch after batch: given a heap array, DJL
   * allocates a new direct buffer per tensor, freed only when the garbage collector gets to it —
   * native memory that grew with the stage's speed (issue 16's peak RSS). A direct buffer is used as it is.
   */
  private static java.nio.ByteBuffer inputBuffer(int floats) {
    java.nio.ByteBuffer b = INPUT.get();
    if (b == null || b.capacity() < floats * 4) {
      b = java.nio.ByteBuffer.allocateDirect(floats * 4).order(java.nio.ByteOrder.nativeOrder());
      INPUT.set(b);
    }
    b.clear().limit(floats * 4);
    return b;
  }

  private static final ThreadLocal<java.nio.ByteBuffer> INPUT = new ThreadLocal<>();

  /** The network, with its loaded parameters (for export). */
  public ai.djl.nn.Block block() {
    return model.getBlock();
  }

  public Predictor<NDList, NDList> newPredictor() {
    return model.newPredictor(device);
  }

  public ModelSpec spec() {
    return spec;
  }

  public Device device() {
    return device;
  }

  /** The batch the graph requires (e.g. 1), or 0 when any batch works. */
  public int fixedBatch() {
    return fixedBatch;
  }

  public int embeddingSize() {
    return embeddingSize;
  }

  /** Which form of the model runs (for the embed manifest). */
  public String form() {
    return form;
  }

  @Override
  public void close() {
    model.close();
  }

  static String message(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return m.strip().replaceAll("\\s*\\R\\s*", " ");
  }
}
