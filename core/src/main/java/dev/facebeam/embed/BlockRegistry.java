package dev.facebeam.embed;

import ai.djl.nn.Activation;
import dev.facebeam.models.MobileFaceNet;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;

/**
 * The networks a DJL-native model folder can name ({@code "block"} in its descriptor): DJL saves
 * only parameters, so the code that defines the block must be found by name when loading.
 */
public final class BlockRegistry {
  private static final Map<String, IntFunction<Block>> BLOCKS = new ConcurrentHashMap<>();

  static {
    register("small-convnet", BlockRegistry::smallConvNet);
    register("mobilefacenet", MobileFaceNet::create);
    // The networks `train` writes: a trained model folder names its network as its block.
    for (String name : dev.facebeam.models.Networks.NAMES) {
      register(name, emb -> dev.facebeam.models.Networks.create(name, emb));
    }
  }

  private BlockRegistry() {}

  /** Makes a block available by name; the argument of the factory is the embedding size. */
  public static void register(String name, IntFunction<Block> factory) {
    BLOCKS.put(name, factory);
  }

  public static Block create(String name, int embeddingSize) {
    IntFunction<Block> f = BLOCKS.get(name);
    if (f == null) {
      throw new IllegalArgumentException("no block named '" + name + "' (known: " + String.join(", ", BLOCKS.keySet()) + ")");
    }
    return f.apply(embeddingSize);
  }

  /** Four strided conv–BN–ReLU stages, global average pooling and a linear embedding: small but real. */
  static Block smallConvNet(int embeddingSize) {
    SequentialBlock net = new SequentialBlock();
    int[] filters = {16, 32, 64, 128};
    for (int f : filters) {
      net.add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optStride(new Shape(2, 2)).optPadding(new Shape(1, 1))
              .setFilters(f).optBias(false).build())
          .add(BatchNorm.builder().build())
          .add(Activation::relu);
    }
    net.add(Pool.globalAvgPool2dBlock())
        .add(Blocks.batchFlattenBlock())
        .add(Linear.builder().setUnits(embeddingSize).build());
    return net;
  }
}
