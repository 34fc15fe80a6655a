package dev.facebeam.graph;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import dev.facebeam.models.BlockInternals;
import dev.facebeam.models.ChannelPrelu;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A DJL face network in inference mode as the operations both export formats write (docs/export.md):
 * convolutions, BatchNorm with its running statistics and epsilon, PReLU with one slope per channel,
 * flatten, the embedding FC, residual sums; dropout is left out. Values are named; weights carry
 * their place in the block tree ({@code net.<child>.<child>.weight}).
 */
public record NetworkGraph(List<Op> ops, Shape inputShape, Shape outputShape) {
  /** The graph's input value. */
  public static final String INPUT = "input";

  /** A named float32 tensor. */
  public record Weight(String name, float[] values, long[] dims) {}

  /** One operation: where it comes from ({@code name}), what it reads and the value it makes. */
  public sealed interface Op {
    String name();

    String output();
  }

  /** 2-D convolution; {@code pads} symmetric (top = bottom, left = right); {@code bias} may be null. */
  public record Conv(String name, String input, String output, Weight weight, Weight bias, long[] kernel, long[] strides,
      long[] pads, long[] dilations, int groups) implements Op {}

  public record BatchNorm2(String name, String input, String output, Weight gamma, Weight beta, Weight mean, Weight variance,
      float epsilon) implements Op {}

  /** max(0, x) + slope[c] · min(0, x) over axis 1; {@code inputRank} for formats that shape the slopes to it. */
  public record Prelu(String name, String input, String output, Weight slopes, int inputRank) implements Op {}

  /** [B, ...] → [B, rest]. */
  public record Flatten(String name, String input, String output) implements Op {}

  /** input · weightᵀ + bias, weight [out, in]; {@code bias} may be null. */
  public record Dense(String name, String input, String output, Weight weight, Weight bias) implements Op {}

  /** A residual sum. */
  public record Add(String name, String left, String right, String output) implements Op {}

  /** The value the graph ends in. */
  public String output() {
    return ops.get(ops.size() - 1).output();
  }

  /**
   * This graph with every BatchNorm that reads a convolution's or the FC's output — and is its only
   * reader — folded into it ({@link dev.facebeam.graph.BatchNormFold}; the inference form of
   * docs/export.md). BatchNorms elsewhere (IResNet's pre-activation BN) stay.
   */
  public NetworkGraph folded() {
    java.util.Map<String, Integer> readers = new java.util.HashMap<>();
    for (Op op : ops) {
      for (String in : inputs(op)) {
        readers.merge(in, 1, Integer::sum);
      }
    }
    List<Op> out = new ArrayList<>();
    for (int i = 0; i < ops.size(); i++) {
      Op op = ops.get(i);
      if (i + 1 < ops.size() && ops.get(i + 1) instanceof BatchNorm2 bn && bn.input().equals(op.output())
          && readers.getOrDefault(op.output(), 0) == 1 && (op instanceof Conv || op instanceof Dense)) {
        Weight w = op instanceof Conv c ? c.weight() : ((Dense) op).weight();
        Weight b = op instanceof Conv c ? c.bias() : ((Dense) op).bias();
        float[][] f = dev.facebeam.graph.BatchNormFold.fold(w.values(), b == null ? null : b.values(), bn.gamma().values(),
            bn.beta().values(), bn.mean().values(), bn.variance().values(), bn.epsilon());
        Weight fw = new Weight(w.name(), f[0], w.dims());
        Weight fb = new Weight(op.name() + ".bias", f[1], new long[] {f[1].length});
        out.add(op instanceof Conv c
            ? new Conv(c.name(), c.input(), bn.output(), fw, fb, c.kernel(), c.strides(), c.pads(), c.dilations(), c.groups())
            : new Dense(op.name(), ((Dense) op).input(), bn.output(), fw, fb));
        i++;
      } else {
        out.add(op);
      }
    }
    return new NetworkGraph(List.copyOf(out), inputShape, outputShape);
  }

  /** How many BatchNorms {@link #folded()} removes from this graph. */
  public int batchNorms() {
    return (int) ops.stream().filter(o -> o instanceof BatchNorm2).count();
  }

  private static List<String> inputs(Op op) {
    if (op instanceof Conv c) {
      return List.of(c.input());
    }
    if (op instanceof BatchNorm2 b) {
      return List.of(b.input());
    }
    if (op instanceof Prelu p) {
      return List.of(p.input());
    }
    if (op instanceof Flatten f) {
      return List.of(f.input());
    }
    if (op instanceof Dense d) {
      return List.of(d.input());
    }
    Add a = (Add) op;
    return List.of(a.left(), a.right());
  }

  /** The graph of {@code block} (initialised, with its parameters) for inputs of {@code input} shape ([1, 3, H, W]). */
  public static NetworkGraph of(Block block, Shape input) {
    Walk w = new Walk();
    Value out = w.walk(block, new Value(INPUT, input), "net");
    if (w.ops.isEmpty() || !w.ops.get(w.ops.size() - 1).output().equals(out.name())) {
      throw new IllegalStateException("the network does not end in an operation");
    }
    return new NetworkGraph(List.copyOf(w.ops), input, out.shape());
  }

  /** A value's name and shape (batch 1) as it flows through the walk. */
  private record Value(String name, Shape shape) {}

  private static final class Walk {
    final List<Op> ops = new ArrayList<>();
    int serial;

    Value walk(Block b, Value x, String path) {
      if (b instanceof SequentialBlock s) {
        Value v = x;
        for (var child : s.getChildren()) {
          v = walk(child.getValue(), v, path + "." + child.getKey());
        }
        return v;
      }
      if (b instanceof ParallelBlock p) {
        // Every ParallelBlock in these networks sums its branches (a residual unit); the parity check
        // would catch a network where that is not so.
        List<Value> branches = new ArrayList<>();
        for (var child : p.getChildren()) {
          branches.add(walk(child.getValue(), x, path + "." + child.getKey()));
        }
        if (branches.size() != 2) {
          throw new UnsupportedOperationException(path + ": a parallel block of " + branches.size() + " branches is not a residual sum");
        }
        return add(new Add(path + ".add", branches.get(0).name(), branches.get(1).name(), next(path + ".add")), x.shape(), b);
      }
      if (b instanceof Conv2d c) {
        Shape pad = c.getPadding();
        return add(new Conv(path, x.name(), next(path), weight(path + ".weight", param(c, "weight")),
            c.isIncludeBias() ? weight(path + ".bias", param(c, "bias")) : null, c.getKernelShape().getShape(),
            c.getStride().getShape(), new long[] {pad.get(0), pad.get(1)}, c.getDilation().getShape(), c.getGroups()), x.shape(), b);
      }
      if (b instanceof BatchNorm n) {
        int axis = BlockInternals.axis(n);
        if (axis != 1) {
          throw new UnsupportedOperationException(path + ": BatchNorm over axis " + axis + " (the formats normalise axis 1)");
        }
        return add(new BatchNorm2(path, x.name(), next(path), weight(path + ".gamma", param(n, "gamma")),
            weight(path + ".beta", param(n, "beta")), weight(path + ".running_mean", param(n, "runningMean")),
            weight(path + ".running_var", param(n, "runningVar")), BlockInternals.epsilon(n)), x.shape(), b);
      }
      if (b instanceof ChannelPrelu prelu) {
        return add(new Prelu(path, x.name(), next(path), weight(path + ".alpha", prelu.slopes()), x.shape().dimension()), x.shape(), b);
      }
      if (b instanceof Dropout) {
        return x; // inference: dropout is the identity
      }
      if (b instanceof Linear l) {
        if (x.shape().dimension() != 2) {
          throw new UnsupportedOperationException(path + ": Linear on a rank-" + x.shape().dimension() + " input");
        }
        Parameter bias = l.getParameters().get("bias");
        return add(new Dense(path, x.name(), next(path), weight(path + ".weight", param(l, "weight")),
            bias != null ? weight(path + ".bias", bias.getArray()) : null), x.shape(), b);
      }
      if (b instanceof LambdaBlock lambda) {
        String name = lambda.getName().toLowerCase(Locale.ROOT);
        Shape out = b.getOutputShapes(new Shape[] {x.shape()})[0];
        if (out.equals(x.shape()) && name.contains("identity")) {
          return x;
        }
        if (name.contains("flatten") && out.dimension() == 2) {
          return add(new Flatten(path, x.name(), next(path)), x.shape(), b);
        }
        throw new UnsupportedOperationException(path + ": no exported form for the lambda block '" + lambda.getName() + "'");
      }
      throw new UnsupportedOperationException(path + ": no exported form for " + b.getClass().getSimpleName());
    }

    private String next(String name) {
      return name + ":" + (serial++);
    }

    private Value add(Op op, Shape in, Block b) {
      ops.add(op);
      return new Value(op.output(), b.getOutputShapes(new Shape[] {in})[0]);
    }

    private static Weight weight(String name, NDArray a) {
      return new Weight(name, a.toFloatArray(), a.getShape().getShape());
    }

    private static NDArray param(Block b, String name) {
      Parameter p = b.getParameters().get(name);
      if (p == null || !p.isInitialized()) {
        throw new IllegalStateException(b.getClass().getSimpleName() + " has no initialised parameter '" + name + "'");
      }
      return p.getArray();
    }
  }
}
