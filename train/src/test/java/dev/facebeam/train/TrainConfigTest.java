package dev.facebeam.train;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.facebeam.UserInputException;
import dev.facebeam.models.Networks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Configs, the schema and the optimiser: no fixtures needed. */
public class TrainConfigTest {
  @ClassRule public static TemporaryFolder tmp = new TemporaryFolder();

  static Path config(String name, String json) throws Exception {
    return write(tmp.getRoot().toPath(), name, json);
  }

  /** Writes a config file {@code <dir>/<name>.json}. */
  static Path write(Path dir, String name, String json) throws Exception {
    Path f = dir.resolve(name + ".json");
    Files.writeString(f, json);
    return f;
  }

  @Test
  public void badConfigsAreClearErrors() throws Exception {
    UserInputException unknown = assertThrows(UserInputException.class,
        () -> TrainConfig.load(config("bad-net", "{\"network\": \"r1000\", \"loss\": \"arcface\"}"), Map.of()));
    assertThat(unknown.getMessage(), containsString("'network' must be one of"));
    assertThat(assertThrows(UserInputException.class,
        () -> TrainConfig.load(config("bad-loss", "{\"network\": \"y1\", \"loss\": \"sphereface\"}"), Map.of())).getMessage(),
        containsString("'loss' must be one of"));
    assertThat(assertThrows(UserInputException.class,
        () -> TrainConfig.load(config("ok", "{\"network\": \"y1\", \"loss\": \"arcface\"}"), Map.of("lr", "fast"))).getMessage(),
        containsString("--lr"));
    TrainConfig y1 = TrainConfig.load(config("y1", "{\"network\": \"y1\", \"loss\": \"arcface\"}"), Map.of("lr_steps", "10,20"));
    assertEquals(128, y1.embSize());
    assertEquals(0.5, y1.marginM(), 0);
    assertEquals(0.1 * 0.01, y1.lrAt(20), 1e-12);
  }

  @Test
  public void everyMemberReachesItsSettingAndTheWrittenConfigReadsBackTheSame() throws Exception {
    // A value for every member, none equal to its default, so a member mapped to no component fails.
    TrainConfig c = TrainConfig.load(config("all", """
        {"network": "r50", "loss": "combined", "dataset": "faces", "num_classes": 17, "emb_size": 256, "lr": 0.02,
         "lr_steps": [5, 9], "wd": 0.001, "mom": 0.8, "per_batch_size": 12, "margin_s": 32.0, "margin_a": 0.9,
         "margin_m": 0.25, "margin_b": 0.15, "fc7_wd_mult": 2.0, "fc7_lr_mult": 3.0, "fc7_no_bias": true, "fc7_shards": 2,
         "dropout": 0.1, "verbose": 7, "frequent": 3, "ckpt": 2, "ckpt_embedding": false, "max_steps": 99,
         "pretrained": "p/model,3", "val_targets": ["orl"], "seed": 5, "workers": 4, "devices": "cpu,cpu",
         "rand_mirror": false, "triplet_alpha": 0.2, "triplet_bag_size": 120, "images_per_identity": 4, "triplet_max_ap": 0.5}
        """), Map.of());
    assertEquals(List.of("r50", "combined", "faces", 17, 256, 0.02, List.of(5, 9), 0.001, 0.8, 12, 32.0, 0.9, 0.25, 0.15,
        2.0, 3.0, true, 2, 0.1, 7, 3, 2, false, 99L, "p/model,3", List.of("orl"), 5L, 4, "cpu,cpu", false, 0.2, 120, 4, 0.5),
        List.of(c.network(), c.loss(), c.dataset(), c.numClasses(), c.embSize(), c.lr(), c.lrSteps(), c.wd(), c.mom(),
            c.perBatchSize(), c.marginS(), c.marginA(), c.marginM(), c.marginB(), c.fc7WdMult(), c.fc7LrMult(), c.fc7NoBias(),
            c.fc7Shards(), c.dropout(), c.verbose(), c.frequent(), c.ckpt(), c.ckptEmbedding(), c.maxSteps(), c.pretrained(),
            c.valTargets(), c.seed(), c.workers(), c.devices(), c.randMirror(), c.tripletAlpha(), c.tripletBagSize(),
            c.imagesPerIdentity(), c.tripletMaxAp()));
    // Every schema setting is a component and every component (but the text itself) a setting.
    java.util.Set<String> components = new java.util.TreeSet<>();
    for (var rc : TrainConfig.class.getRecordComponents()) {
      components.add(rc.getName().replaceAll("([A-Z])", "_$1").toLowerCase(java.util.Locale.ROOT));
    }
    components.remove("json");
    java.util.Set<String> settings = new java.util.TreeSet<>(TrainConfig.fields());
    settings.remove("description");
    assertEquals(settings, components);
    // What a run writes as config.json (c.json()) is read back to the same record, text and all.
    Path written = write(tmp.newFolder().toPath(), "config", c.json() + "\n");
    assertEquals(c, TrainConfig.load(written, Map.of()));
    // emb_size 0 is the network's own size, and the written config keeps the 0 the user gave.
    TrainConfig y1 = TrainConfig.load(config("y1-default-emb", "{\"network\": \"y1\", \"loss\": \"softmax\"}"), Map.of());
    assertEquals(Networks.defaultEmbedding("y1"), y1.embSize());
    assertThat(y1.json(), containsString("\"emb_size\": 0"));
  }

  @Test
  public void everyShippedPresetValidates() throws Exception {
    try (var files = Files.list(Path.of("..", "configs"))) {
      List<Path> presets = files.filter(f -> f.toString().endsWith(".json") && !f.getFileName().toString().startsWith("demo-")).sorted().toList();
      assertTrue(presets.size() >= 5);
      for (Path p : presets) {
        TrainConfig c = TrainConfig.load(p, Map.of());
        assertTrue(p + " network", Networks.NAMES.contains(c.network()));
      }
    }
    TrainConfig arc = TrainConfig.load(Path.of("..", "configs", "r100-arcface-emore.json"), Map.of());
    assertEquals(64.0, arc.marginS(), 0);
    assertEquals(0.5, arc.marginM(), 0);
    assertEquals(0.1, arc.lrAt(99_999), 1e-12);
    assertEquals(0.01, arc.lrAt(100_000), 1e-12);
  }

  @Test
  public void sgdFollowsMxnetsRules() {
    // w = 1, g = 0.5, lr 0.1, μ 0.9, wd 0.01, twice: mom = −0.1·(0.5 + 0.01·1) = −0.051, w = 0.949;
    // mom = 0.9·(−0.051) − 0.1·(0.5 + 0.01·0.949) = −0.0968490, w = 0.8521510. A bias takes no decay.
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      MxSgd sgd = MxSgd.builder().schedule(s -> 0.1).momentum(0.9).wd(0.01).setRescaleGrad(1f).build();
      ai.djl.nn.Parameter w = ai.djl.nn.Parameter.builder().setName("w").setType(ai.djl.nn.Parameter.Type.WEIGHT).build();
      ai.djl.nn.Parameter b = ai.djl.nn.Parameter.builder().setName("b").setType(ai.djl.nn.Parameter.Type.BIAS).build();
      sgd.rule(w, MxSgd.mxnetRule(w));
      sgd.rule(b, MxSgd.mxnetRule(b));
      ai.djl.ndarray.NDArray wa = m.create(new float[] {1f});
      ai.djl.ndarray.NDArray ba = m.create(new float[] {1f});
      for (int i = 0; i < 2; i++) {
        sgd.update(w.getId(), wa, m.create(new float[] {0.5f}));
        sgd.update(b.getId(), ba, m.create(new float[] {0.5f}));
      }
      assertEquals(0.8521510, wa.getFloat(0), 1e-6);
      assertEquals(1 - 0.05 - (0.9 * 0.05 + 0.05), ba.getFloat(0), 1e-6);
    }
  }

}
