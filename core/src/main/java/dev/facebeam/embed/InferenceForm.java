package dev.facebeam.embed;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import dev.facebeam.graph.BatchNormFold;
import dev.facebeam.models.BlockInternals;
import java.util.ArrayList;
import java.util.List;

/**
 * A trained network in inference form (docs/export.md): every BatchNorm that follows a convolution
 * or the embedding FC is folded into it — W' = W·s, b' = β − μ·s (+ b·s) with s = γ/√(σ² + ε) per
 * output channel, computed in double — so a forward pass runs one op where it ran two; a PReLU whose
 * slopes are all in [0, 1] becomes max(x, a·x) (two ops for four, the same values). Exact up to
 * float32 rounding; other blocks are shared with the trained network, not copied.
 */
public final class InferenceForm {
  private InferenceForm() {}

  /** The folded network for inputs of {@code input} shape; its new parameters live in {@code manager}. */
  public static Block fold(Block trained, Shape input, NDManager manager) {
    return new Folder(manager).walk(trained, input).block;
  }

  /** How many BatchNorms a fold removes (for the manifest). */
  public static int foldable(Block b) {
    int n = 0;
    if (b instanceof SequentialBlock s) {
      List<Block> kids = s.getChildren().values();
      for (int i = 0; i < kids.size(); i++) {
        Block k = kids.get(i);
        if (i + 1 < kids.size() && kids.get(i + 1) instanceof BatchNorm bn && axisOne(bn) && (k instanceof Conv2d || k instanceof Linear)) {
          n++;
          i++;
        } else {
          n += foldable(k);
        }
      }
    } else if (b instanceof ParallelBlock p) {
      for (Block k : p.getChildren().values()) {
        n += foldable(k);
      }
    }
    return n;
  }

  private record Walked(Block block, Shape out) {}

  private static final class Folder {
    private final NDManager manager;

    Folder(NDManager manager) {
      this.manager = manager;
    }

    Walked walk(Block b, Shape in) {
      if (b instanceof SequentialBlock s) {
        SequentialBlock out = new SequentialBlock();
        List<Block> kids = s.getChildren().values();
        Shape shape = in;
        for (int i = 0; i < kids.size(); i++) {
          Block k = kids.get(i);
          Walked w;
          if (i + 1 < kids.size() && kids.get(i + 1) instanceof BatchNorm bn && axisOne(bn) && k instanceof Conv2d c) {
            w = new Walked(foldConv(c, bn, shape), k.getOutputShapes(new Shape[] {shape})[0]);
            i++;
          } else if (i + 1 < kids.size() && kids.get(i + 1) instanceof BatchNorm bn && axisOne(bn) && k instanceof Linear l) {
            w = new Walked(foldLinear(l, bn, shape), k.getOutputShapes(new Shape[] {shape})[0]);
            i++;
          } else {
            w = walk(k, shape);
          }
          out.add(w.block());
          shape = w.out();
        }
        return new Walked(out, shape);
      }
      if (b instanceof dev.facebeam.models.ChannelPrelu prelu) {
        NDArray alpha = prelu.slopes();
        float[] a = alpha.toFloatArray();
        if (MaxPrelu.applies(a) && in.dimension() >= 2) {
          long[] view = new long[in.dimension()];
          java.util.Arrays.fill(view, 1);
          view[1] = a.length;
          return new Walked(new MaxPrelu(manager.create(a, new Shape(view))), in);
        }
        return new Walked(b, in);
      }
      if (b instanceof ParallelBlock p) {
        List<Block> branches = new ArrayList<>();
        for (Block k : p.getChildren().values()) {
          branches.add(walk(k, in).block());
        }
        ParallelBlock out = new ParallelBlock(BlockInternals.function(p), branches);
        return new Walked(out, b.getOutputShapes(new Shape[] {in})[0]);
      }
      return new Walked(b, b.getOutputShapes(new Shape[] {in})[0]);
    }

    private Block foldConv(Conv2d c, BatchNorm bn, Shape in) {
      Conv2d folded = Conv2d.builder().setKernelShape(c.getKernelShape()).optStride(c.getStride()).optPadding(c.getPadding())
          .optDilation(c.getDilation()).setFilters(c.getFilters()).optGroups(c.getGroups()).optBias(true).build();
      folded.initialize(manager, DataType.FLOAT32, in);
      set(folded, c.getParameters().get("weight").getArray(), c.isIncludeBias() ? c.getParameters().get("bias").getArray() : null, bn);
      return folded;
    }

    private Block foldLinear(Linear l, BatchNorm bn, Shape in) {
      NDArray w = l.getParameters().get("weight").getArray();
      Linear folded = Linear.builder().setUnits(w.getShape().get(0)).optBias(true).build();
      folded.initialize(manager, DataType.FLOAT32, in);
      var bias = l.getParameters().get("bias");
      set(folded, w, bias != null && bias.isInitialized() ? bias.getArray() : null, bn);
      return folded;
    }

    /** weight' = weight · s per output channel (the first axis), bias' = β − μ·s + bias·s. */
    private static void set(Block folded, NDArray weight, NDArray bias, BatchNorm bn) {
      float[] gamma = bn.getParameters().get("gamma").getArray().toFloatArray();
      float[] beta = bn.getParameters().get("beta").getArray().toFloatArray();
      float[] mean = bn.getParameters().get("runningMean").getArray().toFloatArray();
      float[] var = bn.getParameters().get("runningVar").getArray().toFloatArray();
      float[][] f = BatchNormFold.fold(weight.toFloatArray(), bias == null ? null : bias.toFloatArray(), gamma, beta, mean, var,
          BlockInternals.epsilon(bn));
      float[] fw = f[0];
      float[] fb = f[1];
      folded.getParameters().get("weight").getArray().set(fw);
      folded.getParameters().get("bias").getArray().set(fb);
    }
  }

  static boolean axisOne(BatchNorm bn) {
    return BlockInternals.axis(bn) == 1;
  }
}
