package dev.facebeam.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@code export} as a user runs it (docs/export.md): the ORL-trained checkpoint of the training tests
 * → ONNX and → TorchScript → evaluate with no flags gives the checkpoint's own accuracy; the manifest records the
 * parity; a fixed batch is kept; bad input is an error naming the file, and nothing is left behind.
 */
public class ExportCommandTest {
  @ClassRule public static TemporaryFolder tmp = new TemporaryFolder();
  private static Path checkpoint;
  private static Path dataset;

  @BeforeClass
  public static void trainedCheckpointAndAPack() throws Exception {
    System.setProperty("ai.djl.offline", "true");
    Path root = tmp.getRoot().toPath();
    Path training = Cli.orlTrainingSet(root, 30);
    Cli.Run t = Cli.run("train", "--config=" + Path.of("..", "configs", "ir-small-softmax-orl.json"), "--dataset=" + training,
        "--output=" + root.resolve("train-out"), "--max_steps=4", "--val_targets=", "--ckpt=2");
    assertEquals(t.err(), 0, t.status());
    checkpoint = root.resolve("train-out/model-0001");
    dataset = Files.createDirectories(root.resolve("dataset"));
    StringBuilder pairs = new StringBuilder();
    for (int i = 0; i < 20; i++) {
      int s = i + 1;
      pairs.append("s").append(s).append("/4.pgm s").append(s).append("/5.pgm 1\n");
      pairs.append("s").append(s).append("/6.pgm s").append((s + 12) % 40 + 1).append("/6.pgm 0\n");
    }
    Path pairsFile = Files.writeString(root.resolve("pairs.txt"), pairs.toString());
    Cli.Run p = Cli.run("pack", "--input=" + Cli.shared("orl"), "--output=" + dataset.resolve("orl.bin"), "--pairs=" + pairsFile);
    assertEquals(p.err(), 0, p.status());
  }

  private static JsonObject json(Path file) throws Exception {
    return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
  }

  @Test
  public void theExportedGraphEmbedsAsTheCheckpointDoes() throws Exception {
    Path onnx = tmp.getRoot().toPath().resolve("ir-small.onnx");
    Cli.Run e = Cli.run("export", "--model=" + checkpoint, "--output=" + onnx, "--faces=" + Cli.shared("orl/s35"));
    assertEquals(e.err(), 0, e.status());
    assertThat(e.out(), containsString("parity: 25 images")); // 8 + 1 random tensors, 8 faces and their mirrors
    JsonObject params = json(onnx.resolveSibling("ir-small.onnx.manifest.json")).getAsJsonObject("parameters");
    assertEquals("ir-small", params.get("network").getAsString());
    assertEquals("13", params.get("opset").getAsString());
    assertEquals("dynamic", params.get("batch").getAsString());
    assertEquals(dev.facebeam.io.Digests.sha256(checkpoint.resolve("ir-small-0000.params")), params.get("checkpoint_sha256").getAsString());
    assertEquals(true, Double.parseDouble(params.get("parity_min_cosine").getAsString()) >= 0.99999);

    Path pt = tmp.getRoot().toPath().resolve("ir-small.pt");
    Cli.Run ts = Cli.run("export", "--model=" + checkpoint, "--output=" + pt, "--faces=" + Cli.shared("orl/s35"));
    assertEquals(ts.err(), 0, ts.status());
    assertThat(ts.out(), containsString("parity: 25 images"));
    JsonObject tsParams = json(pt.resolveSibling("ir-small.pt.manifest.json")).getAsJsonObject("parameters");
    assertEquals("torchscript", tsParams.get("format").getAsString());
    assertEquals(false, tsParams.has("opset"));

    // evaluate with the graph, and with the archive, and no preprocessing flags: the checkpoint's numbers.
    for (Path model : List.of(checkpoint, onnx, pt)) {
      Cli.Run ev = Cli.run("evaluate", "--runner=DirectRunner", "--dataset=" + dataset, "--model=" + model, "--targets=orl",
          "--output=" + tmp.getRoot().toPath().resolve("eval-" + model.getFileName()));
      assertEquals(ev.err(), 0, ev.status());
    }
    JsonObject fromCheckpoint = json(tmp.getRoot().toPath().resolve("eval-model-0001/orl/verify/report.json"));
    JsonObject fromGraph = json(tmp.getRoot().toPath().resolve("eval-ir-small.onnx/orl/verify/report.json"));
    JsonObject fromArchive = json(tmp.getRoot().toPath().resolve("eval-ir-small.pt/orl/verify/report.json"));
    for (String k : List.of("accuracy", "accuracy_flip", "accuracy_std", "accuracy_flip_std")) {
      assertEquals(k, fromCheckpoint.get(k).getAsDouble(), fromGraph.get(k).getAsDouble(), 0);
      assertEquals(k, fromCheckpoint.get(k).getAsDouble(), fromArchive.get(k).getAsDouble(), 0);
    }
    JsonObject tsEmbed = json(tmp.getRoot().toPath().resolve("eval-ir-small.pt/orl/embed/manifest.json")).getAsJsonObject("parameters");
    assertEquals("PyTorch", tsEmbed.get("engine").getAsString());
    assertEquals("(x - 127.5) * 0.0078125, RGB, 112x112", tsEmbed.get("preprocessing").getAsString());
    JsonObject embed = json(tmp.getRoot().toPath().resolve("eval-ir-small.onnx/orl/embed/manifest.json")).getAsJsonObject("parameters");
    assertEquals("OnnxRuntime", embed.get("engine").getAsString());
    assertEquals("(x - 127.5) * 0.0078125, RGB, 112x112", embed.get("preprocessing").getAsString());
  }

  @Test
  public void aFixedBatchIsKept() throws Exception {
    Path onnx = tmp.getRoot().toPath().resolve("fixed3.onnx");
    Cli.Run e = Cli.run("export", "--model=" + checkpoint.resolve("model.json"), "--output=" + onnx, "--batch=3", "--opset=11");
    assertEquals(e.err(), 0, e.status());
    dev.facebeam.onnx.ModelProto m = dev.facebeam.onnx.ModelProto.parseFrom(Files.readAllBytes(onnx));
    assertEquals(3, m.getGraph().getInput(0).getType().getTensorType().getShape().getDim(0).getDimValue());
    assertEquals(11, m.getOpsetImport(0).getVersion());
  }

  @Test
  public void badInputIsAnErrorNamingTheFileAndLeavesNothing() throws Exception {
    Path root = tmp.getRoot().toPath();
    Path out = Files.createDirectories(root.resolve("bad-out")).resolve("m.onnx");
    // Not a checkpoint: a folder without model.json.
    assertFails(List.of("--model=" + dataset, "--output=" + out), dataset + ": a model folder needs a model.json");
    // A model.json naming an unknown block.
    Path unknown = copyCheckpoint("unknown-block");
    Files.writeString(unknown.resolve("model.json"), Files.readString(unknown.resolve("model.json")).replace("\"ir-small\"", "\"r9000\""));
    assertFails(List.of("--model=" + unknown, "--output=" + out), "r9000");
    // Parameters whose shapes do not match the network: the descriptor says 256-d, the parameters are 128-d.
    Path shapes = copyCheckpoint("wrong-shapes");
    String desc = Files.readString(shapes.resolve("model.json"));
    Files.writeString(shapes.resolve("model.json"), desc.replaceAll("\"embeddingSize\": \\d+", "\"embeddingSize\": 256"));
    assertFails(List.of("--model=" + shapes, "--output=" + out), shapes.toString());
    // An output in a missing folder, a user's file, a typo in --batch.
    assertFails(List.of("--model=" + checkpoint, "--output=" + root.resolve("no/such/folder/m.onnx")), "no such folder");
    Path mine = Files.writeString(root.resolve("bad-out/mine.onnx"), "my own model");
    assertFails(List.of("--model=" + checkpoint, "--output=" + mine), mine.toString());
    assertEquals("my own model", Files.readString(mine));
    assertFails(List.of("--model=" + checkpoint, "--output=" + out, "--batch=lots"), "--batch");
    assertFails(List.of("--model=" + checkpoint, "--output=" + out, "--format=torchscript"), "a TorchScript archive is named *.pt");
    assertFails(List.of("--model=" + checkpoint, "--output=" + out, "--format=tflite"), "--format");
    assertFails(List.of("--model=" + checkpoint, "--output=" + out.resolveSibling("m.txt")), "an ONNX file is named *.onnx");
    assertFails(List.of("--model=" + checkpoint, "--output=" + out.resolveSibling("m.pt"), "--batch=3"), "--batch");
    assertFails(List.of("--model=" + unknown, "--output=" + out.resolveSibling("m.pt")), "r9000");
    try (Stream<Path> s = Files.list(root.resolve("bad-out"))) {
      assertEquals(List.of(mine), s.toList());
    }
  }

  private static Path copyCheckpoint(String name) throws Exception {
    Path to = Files.createDirectories(tmp.getRoot().toPath().resolve(name));
    try (Stream<Path> s = Files.list(checkpoint)) {
      for (Path f : s.toList()) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
    return to;
  }

  private static void assertFails(List<String> args, String named) {
    List<String> all = new java.util.ArrayList<>(List.of("export"));
    all.addAll(args);
    Cli.Run r = Cli.run(all.toArray(String[]::new));
    assertEquals(args + ": " + r.out(), 1, r.status());
    assertThat(args.toString(), r.err(), containsString(named));
  }
}
