package dev.facebeam.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.ParameterList;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import dev.facebeam.models.OwnedArrays;
import java.lang.ref.Reference;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * One update on a global batch, data-parallel as the seed's multi-GPU training does it: the batch is
 * cut into one contiguous share per replica, each share is forwarded and back-propagated on its
 * replica's device, the gradients are summed (on a device: PyTorch accumulates; across devices: DJL's
 * parameter server) and the optimiser rescales them by 1 / replicas. Returns the mean of the shares' losses.
 */
final class DataParallelStep {
  static final int PIXELS = 3 * 112 * 112;

  /** Runs between each share's forward and backward passes: tests make a GC free and reuse memory there. */
  static Supplier<Object> betweenPasses = () -> null;

  private DataParallelStep() {}

  static double run(Trainer trainer, Device[] replicas, float[] images, float[] labels) {
    return run(trainer, replicas, images, labels, null);
  }

  /** The same with fc7 sharded by class ({@code shards} not null): its shards are updated after the trainer's parameters. */
  static double run(Trainer trainer, Device[] replicas, float[] images, float[] labels, Fc7Shards shards) {
    int n = labels.length;
    int g = replicas.length;
    if (n % g != 0 || images.length != n * PIXELS) {
      throw new IllegalArgumentException("a batch of " + n + " images cannot be shared equally by " + g + " replicas");
    }
    int per = n / g;
    double total = 0;
    // The batch's manager stays open until the update is done: it holds the losses the gradients flow from.
    try (NDManager batch = trainer.getManager().newSubManager()) {
      try (GradientCollector gc = trainer.newGradientCollector()) {
        // DJL's PyTorch collector accumulates into .grad across collectors (measured): clear the last step's.
        zeroGradients(trainer, replicas, gc);
        if (shards != null) {
          shards.zeroGradients();
          shards.sample(labels);
        }
        for (int r = 0; r < g; r++) {
          NDManager share = batch.newSubManager(replicas[r]);
          // One replica takes the whole batch as it is; more cut out their share.
          // Engine-owned copies: the first convolution saves its input for the weight gradient, and this
          // share's arrays are closed before the backward pass (below).
          NDArray x = OwnedArrays.copyOf(share, g == 1 ? images : Arrays.copyOfRange(images, r * per * PIXELS, (r + 1) * per * PIXELS),
              new Shape(per, 3, 112, 112));
          NDArray y = OwnedArrays.copyOf(share, g == 1 ? labels : Arrays.copyOfRange(labels, r * per, (r + 1) * per), new Shape(per));
          NDList preds = trainer.forward(new NDList(x, y), new NDList(y));
          NDArray loss = trainer.getLoss().evaluate(new NDList(y), preds);
          total += loss.getFloat();
          // Before the backward pass, drop this share's handles on every array of its forward pass: autograd
          // holds its own references to what it saved, so what it did not save (a BatchNorm's output that only
          // fed a sum, say) is freed now, as PyTorch frees it, instead of at the end of the step.
          loss.attach(batch);
          share.close();
          Object held = betweenPasses.get();
          gc.backward(loss);
          Reference.reachabilityFence(held);
        }
      }
      trainer.step();
      if (shards != null) {
        shards.update();
      }
    }
    return total / g;
  }

  /**
   * Where every replica runs on the parameters' own device, the parameter store hands out the
   * parameters' own arrays, so their gradients are all there is to clear. DJL's collector instead walks
   * every array of the process (the model's, the step's, the gradient handles earlier reads left
   * behind) and computes {@code g − g}, which leaves an infinite gradient NaN for good (its cost, 7% of
   * y1's step in libtorch's profile, did not show in whole runs). Replicas on other devices hold copies
   * only the collector finds.
   */
  private static void zeroGradients(Trainer trainer, Device[] replicas, GradientCollector gc) {
    ParameterList params = trainer.getModel().getBlock().getParameters();
    boolean own = params.values().stream().allMatch(p -> p.getArray() instanceof PtNDArray a
        && Arrays.stream(replicas).allMatch(d -> d.equals(a.getDevice())));
    if (!own) {
      gc.zeroGradients();
      return;
    }
    for (Parameter p : params.values()) {
      if (p.requiresGradient()) {
        Gradients.clear(p.getArray());
      }
    }
  }
}
