package dev.facebeam.models;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import java.util.Arrays;
import java.util.List;

/**
 * LResNet-E-IR as in InsightFace's {@code fresnet.py} (docs/training.md): input block "L" (3×3 stride-1
 * conv, BN, PReLU; no pooling), four stages of IR units whose first unit has stride 2 and a projection
 * shortcut, and output block "E" (BN, dropout 0.4, FC to the embedding, BN with a fixed scale).
 * 112×112 → 56 → 28 → 14 → 7. BN eps 2e-5 and momentum 0.9 throughout.
 */
public final class IResNet {
  private static final float EPS = 2e-5f;
  private static final float MOMENTUM = 0.9f;
  private static final int[] FILTERS = {64, 128, 256, 512};

  private IResNet() {}

  /** Units per stage for the depths the seed trains. */
  public static int[] units(int depth) {
    return switch (depth) {
      case 18 -> new int[] {2, 2, 2, 2};
      case 34 -> new int[] {3, 4, 6, 3};
      case 50 -> new int[] {3, 4, 14, 3};
      case 100 -> new int[] {3, 13, 30, 3};
      default -> throw new IllegalArgumentException("no IResNet of depth " + depth + " (known: 18, 34, 50, 100)");
    };
  }

  public static Block create(int depth, int embeddingSize) {
    return create(depth, embeddingSize, 0.4f);
  }

  public static Block create(int depth, int embeddingSize, float dropout) {
    return create(units(depth), FILTERS, embeddingSize, dropout);
  }

  /** Any stage layout: {@code units} and {@code filters} per stage (the stem has filters[0] channels). */
  public static Block create(int[] units, int[] filters, int embeddingSize, float dropout) {
    SequentialBlock net = new SequentialBlock();
    net.add(conv(filters[0], 3, 1, 1)).add(bn()).add(new ChannelPrelu()); // conv0, bn0, relu0
    for (int stage = 0; stage < units.length; stage++) {
      for (int u = 0; u < units[stage]; u++) {
        net.add(unit(filters[stage], u == 0 ? 2 : 1, u == 0));
      }
    }
    net.add(bn()) // bn1
        .add(Dropout.builder().optRate(dropout).build())
        .add(Blocks.batchFlattenBlock())
        .add(Linear.builder().setUnits(embeddingSize).build()) // pre_fc1
        .add(BatchNorm.builder().optScale(false).optEpsilon(EPS).optMomentum(MOMENTUM).build()); // fc1, fix_gamma
    return net;
  }

  /** residual_unit_v3: BN → conv3×3 → BN → PReLU → conv3×3(stride) → BN, plus the shortcut; no activation after the sum. */
  static Block unit(int filters, int stride, boolean project) {
    SequentialBlock body = new SequentialBlock()
        .add(bn())
        .add(conv(filters, 3, 1, 1))
        .add(bn())
        .add(new ChannelPrelu())
        .add(conv(filters, 3, stride, 1))
        .add(bn());
    Block shortcut = project
        ? new SequentialBlock().add(conv(filters, 1, stride, 0)).add(bn())
        : Blocks.identityBlock();
    return new ParallelBlock(IResNet::sum, Arrays.asList(body, shortcut));
  }

  static Conv2d conv(int filters, int kernel, int stride, int pad) {
    return Conv2d.builder().setKernelShape(new Shape(kernel, kernel)).optStride(new Shape(stride, stride))
        .optPadding(new Shape(pad, pad)).setFilters(filters).optBias(false).build();
  }

  static BatchNorm bn() {
    return BatchNorm.builder().optEpsilon(EPS).optMomentum(MOMENTUM).build();
  }

  private static NDList sum(List<NDList> branches) {
    return new NDList(branches.get(0).singletonOrThrow().add(branches.get(1).singletonOrThrow()));
  }
}
