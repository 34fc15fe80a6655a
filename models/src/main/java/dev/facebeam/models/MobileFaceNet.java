package dev.facebeam.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import java.util.Arrays;

/**
 * InsightFace's MobileFaceNet {@code y1} as a DJL block (docs/training.md): 112×112 → 7×7 through
 * depthwise-separable residual stages [1, 4, 6, 2], then the GDC head (depthwise 7×7, FC, BN with a
 * fixed scale). Input normalisation ((x − 127.5)/128) is done outside the graph (embed: Preprocessing; train: the data reader).
 */
public final class MobileFaceNet {
  private static final float EPS = 1e-3f; // the Conv/Linear helpers leave MXNet's BN eps at 1e-3
  private static final float MOMENTUM = 0.9f;

  private MobileFaceNet() {}

  public static Block create(int embeddingSize) {
    SequentialBlock net = new SequentialBlock();
    net.add(conv(64, 3, 2, 1, 1));                 // conv_1: 56×56
    net.add(conv(64, 3, 1, 1, 64));                // conv_2_dw
    net.add(dResidual(64, 128, 2));                // dconv_23: 28×28
    net.add(residual(64, 128, 4));                 // res_3
    net.add(dResidual(128, 256, 2));               // dconv_34: 14×14
    net.add(residual(128, 256, 6));                // res_4
    net.add(dResidual(128, 512, 2));               // dconv_45: 7×7
    net.add(residual(128, 256, 2));                // res_5
    net.add(conv(512, 1, 1, 0, 1));                // conv_6sep
    net.add(linear(512, 7, 1, 0, 512));            // GDC: conv_6dw7_7, depthwise 7×7 + BN
    net.add(Blocks.batchFlattenBlock());
    net.add(Linear.builder().setUnits(embeddingSize).build()); // pre_fc1
    net.add(BatchNorm.builder().optScale(false).optEpsilon(2e-5f).optMomentum(MOMENTUM).build()); // fc1, fix_gamma
    return net;
  }

  /** Conv (no bias) + BN + PReLU. */
  public static SequentialBlock conv(int filters, int kernel, int stride, int pad, int groups) {
    return linear(filters, kernel, stride, pad, groups).add(prelu());
  }

  public static Block prelu() {
    return new ChannelPrelu();
  }

  /** Conv (no bias) + BN, no activation. */
  public static SequentialBlock linear(int filters, int kernel, int stride, int pad, int groups) {
    return new SequentialBlock()
        .add(Conv2d.builder().setKernelShape(new Shape(kernel, kernel)).optStride(new Shape(stride, stride))
            .optPadding(new Shape(pad, pad)).setFilters(filters).optGroups(groups).optBias(false).build())
        .add(BatchNorm.builder().optEpsilon(EPS).optMomentum(MOMENTUM).build());
  }

  /** 1×1 expand → depthwise 3×3 (stride) → 1×1 project. */
  public static SequentialBlock dResidual(int out, int expand, int stride) {
    return new SequentialBlock()
        .add(conv(expand, 1, 1, 0, 1))
        .add(conv(expand, 3, stride, 1, expand))
        .add(linear(out, 1, 1, 0, 1));
  }

  /** n stride-1 DResidual units, each added to its input. */
  public static SequentialBlock residual(int channels, int expand, int n) {
    SequentialBlock s = new SequentialBlock();
    for (int i = 0; i < n; i++) {
      s.add(new ParallelBlock(MobileFaceNet::sum, Arrays.asList(dResidual(channels, expand, 1), Blocks.identityBlock())));
    }
    return s;
  }

  private static NDList sum(java.util.List<NDList> branches) {
    NDArray a = branches.get(0).singletonOrThrow();
    NDArray b = branches.get(1).singletonOrThrow();
    return new NDList(a.add(b));
  }
}
