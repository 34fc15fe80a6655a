package dev.facebeam.graph;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An exported TorchScript archive run by libtorch's TorchScript interpreter, through DJL's PyTorch
 * engine — the code path of {@code torch.jit.load}, not DJL's block of the checkpoint.
 */
public final class TorchScriptRunner implements GraphRunner {
  private final ZooModel<NDList, NDList> model;
  private final Predictor<NDList, NDList> predictor;

  public TorchScriptRunner(byte[] archive) throws Exception {
    Path file = Files.createTempFile("facebeam-export-", ".pt");
    try {
      Files.write(file, archive);
      model = load(file, ai.djl.Device.cpu());
    } finally {
      Files.deleteIfExists(file); // libtorch has read the whole archive
    }
    predictor = model.newPredictor();
  }

  /** A TorchScript archive on DJL's PyTorch engine, as a model file (no block: see FaceModel on DJL's BlockFactory scan). */
  public static ZooModel<NDList, NDList> load(Path file, ai.djl.Device device) throws Exception {
    return Criteria.builder().setTypes(NDList.class, NDList.class).optEngine("PyTorch").optDevice(device).optModelPath(file)
        .optTranslator(new NoopTranslator()).optArgument("blockFactory", (ai.djl.nn.BlockFactory) (m, p, a) -> null)
        .build().loadModel();
  }

  @Override
  public float[] run(float[] input, int batch, int size) throws Exception {
    try (NDManager m = model.getNDManager().newSubManager()) {
      NDList out = predictor.predict(new NDList(m.create(input, new Shape(batch, 3, size, size))));
      try {
        return out.get(0).toFloatArray();
      } finally {
        out.close();
      }
    }
  }

  @Override
  public void close() {
    predictor.close();
    model.close();
  }
}
