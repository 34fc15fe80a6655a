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
