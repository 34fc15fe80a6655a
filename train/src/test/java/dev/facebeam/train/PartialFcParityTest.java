package dev.facebeam.train;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.facebeam.models.FreedMemory;
import dev.facebeam.models.OwnedArrays;
import dev.facebeam.models.loss.ClassSample;
import dev.facebeam.models.loss.MarginSoftmax;
import dev.facebeam.models.loss.ShardedMarginSoftmax;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Three steps of Partial FC against a PyTorch reference written after arcface_torch's PartialFC_V2
 * (resources/partialfc/make_partialfc.py): the same classes sampled from the same seed, the same loss
 * at every step and the same classifier and "backbone" (a linear map) after the last, within 1e-5.
 */
public class PartialFcParityTest {
  @BeforeClass
  public static void offline() {
    System.setProperty("ai.djl.offline", "true");
  }

  @Test
  public void threeStepsEqualPyTorchsPartialFc() throws Exception {
    JsonObject f;
    try (var in = PartialFcParityTest.class.getResourceAsStream("/partialfc/partialfc.json")) {
      f = JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
    }
    int b = f.get("batch").getAsInt();
    int d = f.get("in").getAsInt();
    int e = f.get("embedding").getAsInt();
    int c = f.get("classes").getAsInt();
    JsonArray margin = f.getAsJsonArray("margin");
    MarginSoftmax head = MarginSoftmax.of(margin.get(0).getAsFloat(), margin.get(1).getAsFloat(), margin.get(2).getAsFloat(),
        margin.get(3).getAsFloat());
    double lr = f.get("lr").getAsDouble();
    MxSgd sgd = MxSgd.builder().schedule(s -> lr).momentum(f.get("momentum").getAsDouble()).wd(f.get("wd").getAsDouble()).build();
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      NDArray a = m.create(floats(f.getAsJsonArray("a0")), new Shape(e, d));
      a.setRequiresGradient(true);
      sgd.rule("backbone", new MxSgd.Mult(1, 1));
      Fc7Shards fc7 = Fc7Shards.create(c, e, false, f.getAsJsonArray("shards").size(), new Device[] {Device.cpu()}, m, sgd,
          new MxSgd.Mult(1, 1)).sampling(f.get("sample_rate").getAsDouble(), new Random(f.get("seed").getAsLong()));
      fc7.load(Path.of("partialfc.json"), m.create(floats(f.getAsJsonArray("w0")), new Shape(c, e)), null);
      for (JsonElement stepJson : f.getAsJsonArray("steps")) {
        JsonObject step = stepJson.getAsJsonObject();
        float[] labels = floats(step.getAsJsonArray("labels"));
        fc7.zeroGradients();
        if (a.hasGradient()) {
          try (NDArray g = a.getGradient()) {
            g.subi(g);
          }
        }
        fc7.sample(labels);
        JsonArray expectedSamples = step.getAsJsonArray("samples");
        for (int s = 0; s < expectedSamples.size(); s++) {
          List<Long> want = new ArrayList<>();
          expectedSamples.get(s).getAsJsonArray().forEach(v -> want.add(v.getAsLong()));
          List<Long> got = new ArrayList<>();
          for (long k : fc7.samples().get(s).index()) {
            got.add(k);
          }
          assertEquals("shard " + s + "'s sample, drawn by the same rule from the same seed", want, got);
        }
        float loss;
        try (NDManager batch = m.newSubManager();
             GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
          // As DataParallelStep runs a share: its forward arrays are closed before the backward pass, and a
          // GC between the passes frees and reuses what Java let go of.
          NDManager share = batch.newSubManager();
          NDArray x = OwnedArrays.copyOf(share, floats(step.getAsJsonArray("x")), new Shape(b, d));
          NDArray at = a.transpose();
          at.attach(share);
          NDArray l = new ShardedMarginSoftmax(head).loss(x.matMul(at), fc7.shards(), OwnedArrays.copyOf(share, labels, new Shape(b)),
              fc7.samples());
          loss = l.getFloat();
          l.attach(batch);
          share.close();
          var freed = FreedMemory.freeAndReuse();
          gc.backward(l);
          freed.clear();
        }
        double want = step.get("loss").getAsDouble();
        assertEquals("loss", want, loss, 1e-5 * Math.abs(want));
        try (NDArray g = a.getGradient()) {
          sgd.update("backbone", a, g);
        }
        fc7.update();
      }
      assertClose("backbone", floats(f.getAsJsonArray("a3")), a.toFloatArray());
      float[] w = fc7.whole(m).get(0).toFloatArray();
      float[] w0 = floats(f.getAsJsonArray("w0"));
      float[] w3 = floats(f.getAsJsonArray("w3"));
      assertClose("fc7", w3, w);
      // Every row moved, sampled or not: weight decay and momentum reach the rows no step sampled.
      for (int k = 0; k < w.length; k++) {
        assertTrue("fc7[" + k + "] unchanged", w[k] != w0[k]);
      }
    }
  }

  /** Within 1e-5 of the reference, relative to the array's largest magnitude. */
  private static void assertClose(String what, float[] want, float[] got) {
    assertEquals(what + " size", want.length, got.length);
    float scale = 0;
    for (float v : want) {
      scale = Math.max(scale, Math.abs(v));
    }
    for (int k = 0; k < want.length; k++) {
      assertEquals(what + "[" + k + "]", want[k], got[k], 1e-5 * scale);
    }
  }

  private static float[] floats(JsonArray array) {
    float[] out = new float[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).getAsFloat();
    }
    return out;
  }
}
