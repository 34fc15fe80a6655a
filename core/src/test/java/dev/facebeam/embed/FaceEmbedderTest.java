package dev.facebeam.embed;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import dev.facebeam.CollectingSink;
import dev.facebeam.TestData;
import dev.facebeam.align.FacePreparation;
import dev.facebeam.UserInputException;
import dev.facebeam.codec.image.RgbPixels;
import dev.facebeam.codec.pack.RecPack;
import dev.facebeam.proto.Embedding;
import dev.facebeam.proto.FaceRecord;
import dev.facebeam.proto.ModelDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class FaceEmbedderTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();
  private static List<FaceRecord> lfw;

  @BeforeClass
  public static void faces() throws Exception {
    System.setProperty("ai.djl.offline", "true");
    lfw = new ArrayList<>();
    for (FaceRecord raw : CollectingSink.readAll(RecPack.open(TestData.file("rec/small_lfw/small_lfw_labelled.rec"))).faces) {
      lfw.add(FacePreparation.prepare(raw).record());
    }
  }

  private static List<Embedding> embed(FaceModel model, List<FaceRecord> faces, int batch, boolean flip) {
    List<Embedding> out = new ArrayList<>();
    List<String> rejects = new ArrayList<>();
    try (FaceEmbedder e = new FaceEmbedder(model, batch, flip, true)) {
      e.embed(faces, out::add, (f, why) -> rejects.add(f.getId() + ": " + why));
    }
    assertEquals(List.of(), rejects);
    return out;
  }

  private static double dot(Embedding a, Embedding b) {
    double s = 0;
    for (int i = 0; i < a.getVectorCount(); i++) {
      s += a.getVector(i) * b.getVector(i);
    }
    return s;
  }

  @Test
  public void realOnnxModelSeparatesTheLfwIdentitiesPerfectly() {
    ModelSpec spec = ModelSpec.resolve(TestData.file("models/faceplugin/fr_feature.onnx"),
        new ModelSpec.Overrides(null, null, 127f, 1f / 128f, null));
    try (FaceModel model = FaceModel.load(spec, Device.cpu())) {
      assertEquals(1, model.fixedBatch()); // the graph fixes batch 1
      assertEquals(512, model.embeddingSize());
      List<Embedding> emb = embed(model, lfw, 32, true);
      assertEquals(20, emb.size());
      double worstSame = Double.MAX_VALUE;
      double bestDifferent = -Double.MAX_VALUE;
      int same = 0;
      for (int i = 0; i < emb.size(); i++) {
        Embedding a = emb.get(i);
        assertEquals(1.0, Math.sqrt(dot(a, a)), 1e-5);
        assertTrue(a.getNormOriginal() > 0 && a.getNormFlipped() > 0);
        for (int j = i + 1; j < emb.size(); j++) {
          Embedding b = emb.get(j);
          if (a.getLabel() == b.getLabel()) {
            worstSame = Math.min(worstSame, dot(a, b));
            same++;
          } else {
            bestDifferent = Math.max(bestDifferent, dot(a, b));
          }
        }
      }
      assertTrue(same >= 10);
      assertTrue("pair AUC 1.0: worst same " + worstSame + " > best different " + bestDifferent, worstSame > bestDifferent);
    }
  }

  @Test
  public void flipFusionEqualsTwoSeparatePassesAndRunsRepeat() throws Exception {
    ModelSpec spec = ModelSpec.resolve(TestData.file("models/faceplugin/fr_feature.onnx"), ModelSpec.Overrides.NONE);
    try (FaceModel model = FaceModel.load(spec, Device.cpu())) {
      List<FaceRecord> four = lfw.subList(0, 4);
      List<Embedding> fused = embed(model, four, 8, true);
      List<Embedding> again = embed(model, four, 8, true);
      Preprocessing pre = spec.preprocessing();
      try (Predictor<NDList, NDList> p = model.newPredictor()) {
        for (int i = 0; i < four.size(); i++) {
          RgbPixels px = FaceEmbedder.pixels(four.get(i));
          float[] in = new float[pre.length()];
          pre.write(px, false, in, 0);
          float[] o = model.forward(p, in, 1);
          pre.write(px, true, in, 0);
          float[] f = model.forward(p, in, 1);
          double n = 0;
          for (int k = 0; k < o.length; k++) {
            n += (o[k] + f[k]) * (double) (o[k] + f[k]);
          }
          n = Math.sqrt(n);
          for (int k = 0; k < o.length; k++) {
            assertEquals((o[k] + f[k]) / n, fused.get(i).getVector(k), 1e-6);
          }
          assertEquals(FlipFusion.norm(o), fused.get(i).getNormOriginal(), 1e-4);
          assertEquals(fused.get(i), again.get(i));
        }
      }
    }
  }

  private Path saveSmallConvNet(int embeddingSize, int descriptorSize) throws Exception {
    return saveSmallConvNet(tmp.newFolder("djl-native").toPath(), embeddingSize, descriptorSize);
  }

  /** A DJL-native model folder: the registered small-convnet block with random weights and its model.json. */
  static Path saveSmallConvNet(Path dir, int embeddingSize, int descriptorSize) throws Exception {
    Block block = BlockRegistry.create("small-convnet", embeddingSize);
    try (Model m = Model.newInstance("small", "PyTorch")) {
      m.setBlock(block);
      block.initialize(m.getNDManager(), DataType.FLOAT32, new Shape(1, 3, 112, 112));
      m.save(dir, "small");
    }
    ModelSpec.writeDescriptor(dir.resolve("model.json"), ModelDescriptor.newBuilder()
        .setName("small").setEngine("PyTorch").setFile("small-0000.params").setBlock("small-convnet")
        .setEmbeddingSize(descriptorSize).setInputSize(112).setMean(127.5f).setScale(1 / 128f).setChannelOrder("RGB").build());
    return dir;
  }

  @Test
  public void djlNativeModelLoadsFromItsFolderAndEmbedsWithPaddedBatches() throws Exception {
    Path dir = saveSmallConvNet(64, 64);
    ModelSpec spec = ModelSpec.resolve(dir, ModelSpec.Overrides.NONE);
    assertTrue(spec.isDjlNative());
    try (FaceModel model = FaceModel.load(spec, Device.cpu())) {
      assertEquals(0, model.fixedBatch());
      List<Embedding> a = embed(model, lfw.subList(0, 7), 4, true); // 14 images: batches of 4, last padded
      List<Embedding> b = embed(model, lfw.subList(0, 7), 16, true); // one batch of 16 with 2 padding rows
      assertEquals(7, a.size());
      for (int i = 0; i < 7; i++) {
        assertEquals(64, a.get(i).getVectorCount());
        for (int k = 0; k < 64; k++) {
          assertEquals(a.get(i).getVector(k), b.get(i).getVector(k), 1e-5);
        }
      }
    }
  }

  @Test
  public void mobileFaceNetHasTheY1ShapeAndSize() {
    Block net = BlockRegistry.create("mobilefacenet", 128);
    try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager("PyTorch")) {
      net.initialize(m, DataType.FLOAT32, new Shape(2, 3, 112, 112));
      Shape[] out = net.getOutputShapes(new Shape[] {new Shape(2, 3, 112, 112)});
      assertEquals(new Shape(2, 128), out[0]);
      long params = 0;
      for (var p : net.getParameters()) {
        params += p.getValue().getArray().size();
      }
      // InsightFace's y1 (emb 128) has about one million weights (BN statistics included here).
      assertTrue("parameters: " + params, params > 900_000 && params < 1_300_000);
      // And it runs: forward on PyTorch gives one finite 128-d vector per image.
      float[] v = net.forward(new ai.djl.training.ParameterStore(m, false),
          new NDList(m.randomUniform(0, 1, new Shape(2, 3, 112, 112))), false).singletonOrThrow().toFloatArray();
      assertEquals(256, v.length);
      for (float f : v) {
        assertTrue(Float.isFinite(f));
      }
    }
  }

  @Test
  public void descriptorThatDisagreesWithTheModelIsAClearError() throws Exception {
    Path dir = saveSmallConvNet(64, 128);
    UserInputException e = assertThrows(UserInputException.class, () -> FaceModel.load(ModelSpec.resolve(dir, ModelSpec.Overrides.NONE), Device.cpu()));
    assertThat(e.getMessage(), containsString("64-d embeddings but its descriptor says 128"));
  }

  @Test
  public void handMadeTorchScriptLoadsAndANonVectorOutputIsRefused() throws Exception {
    Path pt = tmp.getRoot().toPath().resolve("pool.pt");
    TorchScriptArchive.write(pt, "torch.flatten(torch.adaptive_avg_pool2d(x, [4, 4]), 1)");
    try (FaceModel model = FaceModel.load(ModelSpec.resolve(pt, ModelSpec.Overrides.NONE), Device.cpu())) {
      assertEquals(48, model.embeddingSize());
      List<Embedding> e = embed(model, lfw.subList(0, 3), 4, false);
      assertEquals(3, e.size());
      assertEquals(0f, e.get(0).getNormFlipped(), 0f);
    }
    Path image = tmp.getRoot().toPath().resolve("identity.pt");
    TorchScriptArchive.write(image, "torch.mul(x, 2.)");
    UserInputException e = assertThrows(UserInputException.class, () -> FaceModel.load(ModelSpec.resolve(image, ModelSpec.Overrides.NONE), Device.cpu()));
    assertThat(e.getMessage(), containsString("is not one vector per image"));
  }

  @Test
  public void missingOrUnreadableModelsAreClearErrors() throws Exception {
    UserInputException e = assertThrows(UserInputException.class,
        () -> ModelSpec.resolve(tmp.getRoot().toPath().resolve("nope.onnx"), ModelSpec.Overrides.NONE));
    assertThat(e.getMessage(), containsString("no such model"));
    Path junk = tmp.getRoot().toPath().resolve("junk.onnx");
    Files.write(junk, new byte[] {1, 2, 3, 4});
    e = assertThrows(UserInputException.class, () -> FaceModel.load(ModelSpec.resolve(junk, ModelSpec.Overrides.NONE), Device.cpu()));
    assertThat(e.getMessage(), containsString("junk.onnx"));
    Path dir = tmp.newFolder("nodescriptor").toPath();
    e = assertThrows(UserInputException.class, () -> ModelSpec.resolve(dir, ModelSpec.Overrides.NONE));
    assertThat(e.getMessage(), containsString("model.json"));
  }

  @Test
  public void flipFusionRefusesNanAndZeroVectors() throws Exception {
    FlipFusion.Fused f = FlipFusion.fuse(new float[] {3, 0}, new float[] {1, 0});
    assertArrayEquals(new float[] {1, 0}, f.vector(), 0f);
    assertEquals(3f, f.normOriginal(), 0f);
    assertEquals(1f, f.normFlipped(), 0f);
    assertThrows(FlipFusion.BadEmbedding.class, () -> FlipFusion.fuse(new float[] {1, Float.NaN}, new float[] {1, 0}));
    assertThrows(FlipFusion.BadEmbedding.class, () -> FlipFusion.fuse(new float[] {1, 2}, new float[] {-1, -2}));
    assertThrows(FlipFusion.BadEmbedding.class, () -> FlipFusion.fuse(new float[] {0, 0}, null));
  }

  @Test
  public void askingForAGpuWhereNoneIsVisibleIsAnError() {
    assertEquals("cpu", DeviceSpec.parse("cpu").toString());
    assertEquals("gpu:1", DeviceSpec.parse("gpu:1").toString());
    assertThrows(IllegalArgumentException.class, () -> DeviceSpec.parse("tpu"));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> DeviceSpec.parse("gpu").pick("PyTorch"));
    assertThat(e.getMessage(), containsString("sees no GPU"));
  }
}
