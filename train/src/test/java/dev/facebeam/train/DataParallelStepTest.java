package dev.facebeam.train;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import dev.facebeam.UserInputException;
import dev.facebeam.models.FreedMemory;
import dev.facebeam.models.IResNet;
import dev.facebeam.models.loss.CrossEntropyLoss;
import dev.facebeam.models.loss.MarginSoftmax;
import dev.facebeam.models.loss.ShardedCrossEntropyLoss;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Data-parallel training (docs/training.md): one update over G replicas must equal plain SGD on the mean of
 * the gradients each replica's share gives alone, each share with its own batch-norm statistics.
 * The reference gradients come from separate forward/backward passes over each share, read before
 * any update; the expected parameters are then computed by hand.
 */
public class DataParallelStepTest {
  static final float LR = 0.1f;

  @BeforeClass
  public static void offline() {
    System.setProperty("ai.djl.offline", "true");
  }

  @Test
  public void twoReplicasUpdateWithTheMeanOfTheirSharesGradients() {
    Engine.getEngine("PyTorch").setRandomSeed(11);
    // Dropout 0: the passes must be repeatable for the reference to mean anything.
    TrainingNet net = new TrainingNet(IResNet.create(new int[] {1, 1, 1, 1}, new int[] {8, 8, 16, 16}, 8, 0f),
        MarginSoftmax.softmax(), 3, 8, true);
    MxSgd sgd = MxSgd.builder().schedule(s -> LR).momentum(0).wd(0).setRescaleGrad(0.5f).build();
    TrainDevices devices = TrainDevices.parse("cpu,cpu", 0);
    try (Model model = Model.newInstance("dp", Device.cpu(), "PyTorch")) {
      model.setBlock(net);
      DefaultTrainingConfig tc = new DefaultTrainingConfig(new CrossEntropyLoss()).optOptimizer(sgd).optDevices(devices.distinct());
      try (Trainer trainer = model.newTrainer(tc)) {
        trainer.initialize(new Shape(2, 3, 112, 112), new Shape(2));
        Random r = new Random(5);
        float[] images = new float[4 * DataParallelStep.PIXELS];
        for (int i = 0; i < images.length; i++) {
          images[i] = (float) r.nextGaussian();
        }
        float[] labels = {0, 2, 1, 0};
        Map<String, float[]> before = values(net);
        Map<String, float[]> shareA = gradients(trainer, net, images, labels, 0, 2);
        Map<String, float[]> shareB = gradients(trainer, net, images, labels, 2, 4);
        Map<String, float[]> whole = gradients(trainer, net, images, labels, 0, 4);

        // The whole-batch pass left its gradients in .grad: the step must clear them before it accumulates.
        // And between each share's passes a GC frees what Java let go of: the update must not read it.
        DataParallelStep.betweenPasses = FreedMemory::freeAndReuse;
        double loss;
        try {
          loss = DataParallelStep.run(trainer, devices.asArray(), images, labels);
        } finally {
          DataParallelStep.betweenPasses = () -> null;
        }
        assertTrue(Double.isFinite(loss) && loss > 0);

        Map<String, float[]> after = values(net);
        assertEquals(before.keySet(), after.keySet());
        double worstSplit = 0;
        double worstWhole = 0;
        for (String k : before.keySet()) {
          float[] w0 = before.get(k);
          float[] w1 = after.get(k);
          for (int i = 0; i < w0.length; i++) {
            double expected = w0[i] - LR * (shareA.get(k)[i] + shareB.get(k)[i]) / 2;
            worstSplit = Math.max(worstSplit, Math.abs(w1[i] - expected));
            worstWhole = Math.max(worstWhole, Math.abs(w1[i] - (w0[i] - LR * whole.get(k)[i])));
          }
        }
        assertTrue("update = mean of the shares' gradients, worst |diff| " + worstSplit, worstSplit < 2e-5);
        // The shares really were forwarded apart: with batch norm, one pass over all four differs.
        assertTrue("one whole-batch pass would differ, worst |diff| " + worstWhole, worstWhole > 100 * Math.max(worstSplit, 1e-7));
      }
    }
  }

  /**
   * fc7 cut into 3 shards (train_parall.py's model parallelism) trains exactly as the whole fc7:
   * two steps with momentum and weight decay over two replicas, from the same weights, leave the
   * same embedding network and the same classifier.
   */
  @Test
  public void aShardedClassifierTrainsAsTheWholeOne() {
    for (MarginSoftmax head : List.of(MarginSoftmax.arcFace(), MarginSoftmax.softmax())) {
      boolean bias = !head.margin();
      Engine.getEngine("PyTorch").setRandomSeed(13);
      TrainingNet whole = new TrainingNet(IResNet.create(new int[] {1, 1, 1, 1}, new int[] {8, 8, 16, 16}, 8, 0f), head, 5, 8, bias);
      TrainingNet cut = new TrainingNet(IResNet.create(new int[] {1, 1, 1, 1}, new int[] {8, 8, 16, 16}, 8, 0f), null, 5, 8, bias);
      // A small rate: at 0.1, s = 64 on an untrained net moves weights by tens per step, where float rounding alone diverges.
      MxSgd sgdWhole = MxSgd.builder().schedule(s -> 1e-3).momentum(0.9).wd(5e-4).setRescaleGrad(0.5f).build();
      MxSgd sgdCut = MxSgd.builder().schedule(s -> 1e-3).momentum(0.9).wd(5e-4).setRescaleGrad(0.5f).build();
      Device[] replicas = TrainDevices.parse("cpu,cpu", 0).asArray();
      try (Model mw = Model.newInstance("whole", Device.cpu(), "PyTorch"); Model mc = Model.newInstance("cut", Device.cpu(), "PyTorch")) {
        mw.setBlock(whole);
        mc.setBlock(cut);
        Fc7Shards shards = Fc7Shards.create(5, 8, bias, 3, new Device[] {Device.cpu()}, mc.getNDManager(), sgdCut, new MxSgd.Mult(1, 1));
        try (Trainer tw = mw.newTrainer(new DefaultTrainingConfig(new CrossEntropyLoss()).optOptimizer(sgdWhole));
             Trainer tc = mc.newTrainer(new DefaultTrainingConfig(new ShardedCrossEntropyLoss(head, shards::shards, shards::samples)).optOptimizer(sgdCut))) {
          tw.initialize(new Shape(2, 3, 112, 112), new Shape(2));
          tc.initialize(new Shape(2, 3, 112, 112), new Shape(2));
          for (var p : whole.getParameters()) {
            Parameter param = p.getValue();
            sgdWhole.rule(param, param == whole.fc7Weight ? new MxSgd.Mult(1, 1) : param == whole.fc7Bias ? new MxSgd.Mult(2, 0)
                : MxSgd.mxnetRule(param));
          }
          for (var p : cut.getParameters()) {
            sgdCut.rule(p.getValue(), MxSgd.mxnetRule(p.getValue()));
          }
          // The same starting point: the embedding's parameters, and fc7 cut into the shards.
          Map<String, Parameter> target = new LinkedHashMap<>();
          cut.embedding.getParameters().forEach(p -> target.put(p.getKey(), p.getValue()));
          for (var p : whole.embedding.getParameters()) {
            target.get(p.getKey()).getArray().set(p.getValue().getArray().toByteBuffer());
          }
          shards.load(java.nio.file.Path.of("test"), whole.fc7Weight.getArray(), bias ? whole.fc7Bias.getArray() : null);

          Random r = new Random(8);
          float[] images = new float[4 * DataParallelStep.PIXELS];
          for (int i = 0; i < images.length; i++) {
            images[i] = (float) r.nextGaussian();
          }
          float[] labels = {4, 0, 2, 3};
          Map<String, float[]> before = values(whole);
          for (int step = 0; step < 2; step++) {
            double a = DataParallelStep.run(tw, replicas, images, labels);
            double b = DataParallelStep.run(tc, replicas, images, labels, shards);
            assertEquals(head + " loss at step " + step, a, b, 1e-4 * Math.max(1, Math.abs(a)));
          }
          // The two updates agree to float rounding (summation orders differ: one log-softmax, or a max and sums across shards).
          Map<String, float[]> after = values(cut);
          double worst = 0; // the largest update of any weight
          for (var e : values(whole).entrySet()) {
            float[] w = e.getValue();
            float[] w0 = before.get(e.getKey());
            float[] c;
            if (e.getKey().equals("fc7_weight") || e.getKey().equals("fc7_bias")) {
              try (NDManager m = NDManager.newBaseManager("PyTorch"); NDList fc7 = shards.whole(m)) {
                c = fc7.get(e.getKey().equals("fc7_weight") ? 0 : 1).toFloatArray();
              }
            } else {
              c = after.get(e.getKey());
            }
            assertEquals(e.getKey(), w.length, c.length);
            double diff = 0;
            double update = 0;
            for (int i = 0; i < w.length; i++) {
              diff = Math.max(diff, Math.abs(w[i] - c[i]));
              update = Math.max(update, Math.abs(w[i] - w0[i]));
            }
            // Within 0.1% of the update, or 1e-6 where the update itself is rounding noise (a bias right before batch norm).
            assertTrue(head + " " + e.getKey() + ": |diff| " + diff + " for an update of " + update, diff <= 1e-3 * update + 1e-6);
            worst = Math.max(worst, update);
          }
          assertTrue(head + ": two steps moved the weights, largest update " + worst, worst > 1e-3);
          assertThat(shards.describe(), containsString("3 shards (2, 2, 1 classes)"));
          // A checkpoint's classifier of another shape is refused, naming the parameter.
          try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            assertThat(assertThrows(UserInputException.class, () -> shards.load(java.nio.file.Path.of("ckpt"), m.zeros(new Shape(6, 8)), null))
                .getMessage(), containsString("parameter fc7_weight has shape (6, 8) in the checkpoint but (5, 8)"));
            if (bias) {
              assertThat(assertThrows(UserInputException.class, () -> shards.load(java.nio.file.Path.of("ckpt"), m.zeros(new Shape(5, 8)),
                  m.zeros(new Shape(4)))).getMessage(), containsString("parameter fc7_bias has shape (4) in the checkpoint but (5)"));
            }
          }
        }
      }
    }
  }

  @Test
  public void sharesMustBeEqual() {
    Engine.getEngine("PyTorch");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DataParallelStep.run(null, TrainDevices.parse("cpu,cpu,cpu", 0).asArray(), new float[4 * DataParallelStep.PIXELS], new float[4]));
    assertThat(e.getMessage(), containsString("4 images cannot be shared equally by 3 replicas"));
  }

  @Test
  public void devicesParse() {
    TrainDevices two = TrainDevices.parse("cpu, cpu", 0);
    assertEquals(2, two.count());
    assertArrayEquals(new Device[] {Device.cpu()}, two.distinct());
    TrainDevices gpus = TrainDevices.parse("gpu", 3);
    assertEquals(List.of(Device.gpu(0), Device.gpu(1), Device.gpu(2)), gpus.replicas());
    TrainDevices mixed = TrainDevices.parse("gpu:1,gpu:0,gpu:1", 2);
    assertArrayEquals(new Device[] {Device.gpu(1), Device.gpu(0)}, mixed.distinct());
    assertEquals(3, mixed.count());
    assertThat(assertThrows(UserInputException.class, () -> TrainDevices.parse("gpu", 0)).getMessage(), containsString("sees no GPU"));
    assertThat(assertThrows(UserInputException.class, () -> TrainDevices.parse("gpu:2", 2)).getMessage(), containsString("sees 2 GPU(s)"));
    assertThat(assertThrows(UserInputException.class, () -> TrainDevices.parse("tpu", 0)).getMessage(), containsString("unknown device 'tpu'"));
  }

  /** The gradient that rows [from, to) alone give each trainable parameter, from a pass of its own. */
  private static Map<String, float[]> gradients(Trainer trainer, TrainingNet net, float[] images, float[] labels, int from, int to) {
    try (NDManager m = trainer.getManager().newSubManager()) {
      int n = to - from;
      NDArray x = m.create(java.util.Arrays.copyOfRange(images, from * DataParallelStep.PIXELS, to * DataParallelStep.PIXELS),
          new Shape(n, 3, 112, 112));
      NDArray y = m.create(java.util.Arrays.copyOfRange(labels, from, to));
      try (GradientCollector gc = trainer.newGradientCollector()) {
        gc.zeroGradients();
        NDList preds = trainer.forward(new NDList(x, y), new NDList(y));
        gc.backward(trainer.getLoss().evaluate(new NDList(y), preds));
      }
      Map<String, float[]> out = new LinkedHashMap<>();
      for (var p : net.getParameters()) {
        Parameter param = p.getValue();
        if (param.requiresGradient()) {
          out.put(p.getKey(), param.getArray().getGradient().toFloatArray());
        }
      }
      return out;
    }
  }

  private static Map<String, float[]> values(TrainingNet net) {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (var p : net.getParameters()) {
      if (p.getValue().requiresGradient()) {
        out.put(p.getKey(), p.getValue().getArray().toFloatArray());
      }
    }
    return out;
  }
}
