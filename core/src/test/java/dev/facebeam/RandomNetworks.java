package dev.facebeam;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.facebeam.models.Networks;
import java.util.Random;

/** train's networks with seeded random parameters, random inputs, and DJL's inference forward, for export and inference-form tests. */
public final class RandomNetworks {
  public static final int SIZE = 112;

  private RandomNetworks() {}

  /**
   * The network with every parameter drawn at random: weights N(0, 1/fan-in) (activations stay finite
   * through 100 layers), BN γ ~ U(0.5, 1.5), β and mean ~ U(−0.1, 0.1), variance ~ U(0, 1) + 1e-3 —
   * down to where BN's epsilon (2e-5 in IResNet, 1e-3 in y1) moves outputs by more than the parity
   * bound — and PReLU slopes ~ U(0, 0.5). r100 alone gets variances ≥ 0.5: through its 49 residual
   * units smaller ones overflow float32 with random weights (in DJL as in ONNX Runtime).
   */
  public static Block network(NDManager m, String name, long seed) {
    Block block = Networks.create(name, Networks.defaultEmbedding(name));
    block.initialize(m, DataType.FLOAT32, new Shape(1, 3, SIZE, SIZE));
    Random rnd = new Random(seed);
    for (var p : block.getParameters()) {
      Parameter param = p.getValue();
      NDArray a = param.getArray();
      float[] v = new float[(int) a.size()];
      String key = p.getKey();
      long[] dims = a.getShape().getShape();
      double fanIn = dims.length > 1 ? (double) a.size() / dims[0] : 1;
      float minVar = name.equals("r100") ? 0.5f : 1e-3f;
      for (int i = 0; i < v.length; i++) {
        v[i] = key.endsWith("runningVar") ? minVar + rnd.nextFloat()
            : key.endsWith("runningMean") || key.endsWith("beta") ? rnd.nextFloat() * 0.2f - 0.1f
            : key.endsWith("gamma") ? 0.5f + rnd.nextFloat()
            : key.endsWith("alpha") ? rnd.nextFloat() * 0.5f
            : (float) (rnd.nextGaussian() / Math.sqrt(fanIn));
      }
      a.set(v);
    }
    return block;
  }

  public static float[] images(int batch, long seed) {
    Random rnd = new Random(seed);
    float[] x = new float[batch * 3 * SIZE * SIZE];
    for (int i = 0; i < x.length; i++) {
      x[i] = rnd.nextFloat() * 2 - 1;
    }
    return x;
  }

  public static float[] forward(NDManager m, Block block, float[] input, int batch) {
    try (NDManager sub = m.newSubManager()) {
      NDList out = block.forward(new ParameterStore(sub, false), new NDList(sub.create(input, new Shape(batch, 3, SIZE, SIZE))), false);
      return out.singletonOrThrow().toFloatArray();
    }
  }

}
