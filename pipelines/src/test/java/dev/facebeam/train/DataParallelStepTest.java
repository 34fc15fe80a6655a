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
import dev.facebeam.codec.CodecException;
import dev.facebeam.models.IResNet;
import dev.facebeam.models.loss.MarginSoftmax;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Data-parallel training (spec §5.5): one update over G replicas must equal plain SGD on the mean of
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
      DefaultTrainingConfig tc = new DefaultTrainingConfig(new TrainJob.CrossEntropy()).optOptimizer(sgd).optDevices(devices.distinct());
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

        double loss = DataParallelStep.run(trainer, devices.asArray(), images, labels);
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
    assertThat(assertThrows(CodecException.class, () -> TrainDevices.parse("gpu", 0)).getMessage(), containsString("sees no GPU"));
    assertThat(assertThrows(CodecException.class, () -> TrainDevices.parse("gpu:2", 2)).getMessage(), containsString("sees 2 GPU(s)"));
    assertThat(assertThrows(CodecException.class, () -> TrainDevices.parse("tpu", 0)).getMessage(), containsString("unknown device 'tpu'"));
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
