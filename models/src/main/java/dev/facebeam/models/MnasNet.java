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
import java.util.Arrays;

/**
 * InsightFace's {@code fmnasnet} with width multiplier m (docs/training.md; {@code mnas05} = 0.5, emb
 * 256, GDC head): stride-1 stem, a separable conv, six inverted-residual sequences (t, c, n, s, k),
 * a 1×1 conv to int(1024·m) and the GDC head. Gluon BN defaults (eps 1e-5, momentum 0.9); PReLU.
 */
public final class MnasNet {
  private static final float EPS = 1e-5f;
  /** (expansion t, channels c, repeats n, stride s, kernel k), channels before the multiplier. */
  private static final int[][] STAGES = {
      {3, 24, 3, 2, 3}, {3, 40, 3, 2, 5}, {6, 80, 3, 2, 5}, {6, 96, 2, 1, 3}, {6, 192, 4, 2, 5}, {6, 320, 1, 1, 3}};

  private MnasNet() {}

  public static Block create(double multiplier, int embeddingSize) {
    SequentialBlock net = new SequentialBlock();
    int stem = (int) (32 * multiplier);
    net.add(convBnAct(stem, 3, 1, 1));                                   // ConvBlock, stride 1
    net.add(convBnAct(stem, 3, 1, stem)).add(convBnAct((int) (16 * multiplier), 1, 1, 1)); // SepCONV
    int in = (int) (16 * multiplier);
    for (int[] st : STAGES) {
      int out = (int) (st[1] * multiplier);
      for (int i = 0; i < st[2]; i++) {
        int stride = i == 0 ? st[3] : 1;
        Block body = expanded(in, out, st[0], stride, st[4]);
        net.add(stride == 1 && i > 0 ? new ParallelBlock(MnasNet::sum, Arrays.asList(body, Blocks.identityBlock())) : body);
        in = out;
      }
    }
    int last = (int) (1024 * multiplier);
    net.add(convBnAct(last, 1, 1, 1));
    net.add(conv(last, 7, 1, last)).add(bn())                              // GDC: depthwise 7×7 linear + BN
        .add(Blocks.batchFlattenBlock())
        .add(Linear.builder().setUnits(embeddingSize).build())
        .add(BatchNorm.builder().optScale(false).optEpsilon(2e-5f).optMomentum(0.9f).build());
    return net;
  }

  /** ExpandedConv: 1×1 expand, BN, act → depthwise k×k (stride), BN, act → 1×1 linear, BN. */
  private static Block expanded(int in, int out, int t, int stride, int k) {
    int mid = in * t;
    return new SequentialBlock()
        .add(convBnAct(mid, 1, 1, 1))
        .add(convBnAct(mid, k, stride, mid))
        .add(conv(out, 1, 1, 1)).add(bn());
  }

  private static SequentialBlock convBnAct(int filters, int kernel, int stride, int groups) {
    return new SequentialBlock().add(conv(filters, kernel, stride, groups)).add(bn()).add(new ChannelPrelu());
  }

  private static Conv2d conv(int filters, int kernel, int stride, int groups) {
    int pad = kernel == 7 ? 0 : kernel / 2; // the GDC's 7×7 takes the whole 7×7 map
    return Conv2d.builder().setKernelShape(new Shape(kernel, kernel)).optStride(new Shape(stride, stride))
        .optPadding(new Shape(pad, pad)).setFilters(filters).optGroups(groups).optBias(false).build();
  }

  private static BatchNorm bn() {
    return BatchNorm.builder().optEpsilon(EPS).optMomentum(0.9f).build();
  }

  private static NDList sum(java.util.List<NDList> b) {
    return new NDList(b.get(0).singletonOrThrow().add(b.get(1).singletonOrThrow()));
  }
}
