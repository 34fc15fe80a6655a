package dev.facebeam.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.facebeam.UserInputException;
import dev.facebeam.models.loss.ClassSample;
import dev.facebeam.models.loss.ShardedMarginSoftmax;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * fc7 cut by class into shards, shard g on device g mod D (the seed's model-parallel training,
 * {@code train_parall.py}). The shards are arrays of their own, outside DJL's parameter store,
 * which would copy every parameter to every device: here each device holds only its classes'
 * weights, momentum and gradients. They are initialised as the whole fc7 is (Normal(0.01), bias 0),
 * updated by the same optimiser rule (fc7's multipliers; the bias at lr × 2, no decay) after each
 * step, and saved and loaded as one whole fc7, so a checkpoint does not depend on the shard count.
 * With Partial FC each step computes only a sample of each shard's classes (docs/training.md); the
 * update still runs over every row — those not sampled have a zero gradient, so weight decay and
 * momentum move them as PyTorch's SGD moves the rows of an index-selected weight.
 */
final class Fc7Shards {
  private final NDManager manager;
  private final List<ShardedMarginSoftmax.Shard> shards = new ArrayList<>();
  private final MxSgd sgd;
  private final int classes;
  private final int emb;
  private double sampleRate = 1;
  private Random random;
  private List<ClassSample> samples; // this step's, one per shard; null: every class

  private Fc7Shards(NDManager manager, MxSgd sgd, int classes, int emb) {
    this.manager = manager;
    this.sgd = sgd;
    this.classes = classes;
    this.emb = emb;
  }

  /** {@code count} shards of C / count classes (the first C mod count one more), round-robin over {@code devices}. */
  static Fc7Shards create(int classes, int emb, boolean bias, int count, Device[] devices, NDManager parent, MxSgd sgd,
      MxSgd.Mult weightRule) {
    if (count > classes) {
      throw new UserInputException("fc7_shards", count + " shards for " + classes + " classes: each shard needs a class");
    }
    Fc7Shards f = new Fc7Shards(parent, sgd, classes, emb);
    int first = 0;
    for (int g = 0; g < count; g++) {
      int size = classes / count + (g < classes % count ? 1 : 0);
      Device d = devices[g % devices.length];
      NDArray w = f.manager.randomNormal(0, 0.01f, new Shape(size, emb), DataType.FLOAT32, d);
      w.setRequiresGradient(true);
      NDArray b = null;
      if (bias) {
        b = f.manager.zeros(new Shape(size), DataType.FLOAT32, d);
        b.setRequiresGradient(true);
        sgd.rule(biasId(g), new MxSgd.Mult(2, 0));
      }
      sgd.rule(weightId(g), weightRule);
      f.shards.add(new ShardedMarginSoftmax.Shard(w, b, first));
      first += size;
    }
    return f;
  }

  List<ShardedMarginSoftmax.Shard> shards() {
    return shards;
  }

  /** Partial FC at {@code rate} (1: every class), its other classes drawn from {@code random}. */
  Fc7Shards sampling(double rate, Random random) {
    this.sampleRate = rate;
    this.random = random;
    return this;
  }

  /**
   * Draws this step's classes of every shard from the global batch's labels (all replicas compute
   * their logits over the same sample, as PartialFC_V2 gathers the labels of every rank first).
   */
  void sample(float[] labels) {
    if (sampleRate >= 1) {
      return;
    }
    List<ClassSample> drawn = new ArrayList<>(shards.size());
    for (ShardedMarginSoftmax.Shard s : shards) {
      drawn.add(ClassSample.draw(labels, s.firstClass(), (int) s.weight().getShape().get(0), sampleRate, random));
    }
    samples = drawn;
  }

  /** This step's sample per shard, or null when every class is computed. */
  List<ClassSample> samples() {
    return samples;
  }

  /**
   * PyTorch gradients accumulate across steps. DJL's collector clears the arrays its managers hold
   * (ours included, measured); clearing ours here keeps the update right wherever they live.
   */
  void zeroGradients() {
    for (ShardedMarginSoftmax.Shard s : shards) {
      Gradients.clear(s.weight());
      if (s.bias() != null) {
        Gradients.clear(s.bias());
      }
    }
  }

  /** One optimiser update of every shard with its gradient, after the trainer's step. */
  void update() {
    for (int g = 0; g < shards.size(); g++) {
      ShardedMarginSoftmax.Shard s = shards.get(g);
      step(weightId(g), s.weight());
      if (s.bias() != null) {
        step(biasId(g), s.bias());
      }
    }
  }

  private void step(String id, NDArray a) {
    try (NDArray grad = a.getGradient()) {
      sgd.update(id, a, grad);
    }
  }

  /** The whole fc7 as a checkpoint holds it: the weight (C × E), and the bias when there is one, on the CPU. */
  NDList whole(NDManager m) {
    NDList w = new NDList();
    NDList b = new NDList();
    for (ShardedMarginSoftmax.Shard s : shards) {
      w.add(s.weight().toDevice(Device.cpu(), true));
      if (s.bias() != null) {
        b.add(s.bias().toDevice(Device.cpu(), true));
      }
    }
    NDList out = new NDList(NDArrays.concat(w, 0));
    if (!b.isEmpty()) {
      out.add(NDArrays.concat(b, 0));
    }
    out.attach(m);
    w.close();
    b.close();
    return out;
  }

  /** Loads a whole fc7 (weight, and bias when both have one) into the shards; a wrong shape is an error naming it. */
  void load(Path folder, NDArray weight, NDArray bias) {
    Checkpoints.requireShape(folder, "fc7_weight", weight.getShape(), new Shape(classes, emb));
    boolean withBias = bias != null && shards.get(0).bias() != null;
    if (withBias) {
      Checkpoints.requireShape(folder, "fc7_bias", bias.getShape(), new Shape(classes));
    }
    for (ShardedMarginSoftmax.Shard s : shards) {
      int rows = (int) s.weight().getShape().get(0);
      s.weight().set(weight.get(s.firstClass() + ":" + (s.firstClass() + rows)).toType(DataType.FLOAT32, false).toByteBuffer());
      if (withBias) {
        s.bias().set(bias.get(s.firstClass() + ":" + (s.firstClass() + rows)).toType(DataType.FLOAT32, false).toByteBuffer());
      }
    }
  }

  /** "3 shards (10, 10, 10 classes) on [cpu()]". */
  String describe() {
    List<String> sizes = new ArrayList<>();
    List<Device> devices = new ArrayList<>();
    for (ShardedMarginSoftmax.Shard s : shards) {
      sizes.add(String.valueOf(s.weight().getShape().get(0)));
      if (!devices.contains(s.weight().getDevice())) {
        devices.add(s.weight().getDevice());
      }
    }
    String partial = "";
    if (sampleRate < 1) {
      List<String> sampled = new ArrayList<>();
      for (ShardedMarginSoftmax.Shard s : shards) {
        sampled.add(String.valueOf(ClassSample.size(sampleRate, (int) s.weight().getShape().get(0))));
      }
      partial = String.format(Locale.ROOT, "; Partial FC (sample_rate %s): at least %s classes a step", sampleRate, String.join(", ", sampled));
    }
    return String.format(Locale.ROOT, "%d shards (%s classes) on %s%s", shards.size(), String.join(", ", sizes), devices, partial);
  }

  private static String weightId(int g) {
    return "fc7_weight_shard_" + g;
  }

  private static String biasId(int g) {
    return "fc7_bias_shard_" + g;
  }
}
