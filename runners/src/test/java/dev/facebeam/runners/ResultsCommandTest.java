package dev.facebeam.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.Assert.assertEquals;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The results store from the command line, as a researcher uses it: two models (the real ONNX face
 * model and a checkpoint trained on ORL here) evaluated on two packs, one table; a third pack adds a
 * column and keeps the rest; --compare against numbers worked out from the two report.json files; a
 * rerun that changes nothing changes no byte; report.html checked in headless Chromium.
 */
public class ResultsCommandTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  private static Cli.Run run(String... args) {
    return Cli.run(args);
  }

  private static Cli.Run ok(String... args) {
    Cli.Run r = run(args);
    assertEquals(String.join(" ", args) + "\n" + r.err(), 0, r.status());
    return r;
  }

  private static Path shared(String relative) {
    return Cli.shared(relative);
  }

  /** An ORL verification pack: 20 same-person and 20 different-person pairs, interleaved, starting at subject {@code first}. */
  private Path orlPack(Path dataset, String target, int first) throws Exception {
    StringBuilder pairs = new StringBuilder();
    for (int i = 0; i < 20; i++) {
      int s = (first + i - 1) % 40 + 1;
      int t = (s + 12) % 40 + 1;
      pairs.append("s").append(s).append("/4.pgm s").append(s).append("/5.pgm 1\n");
      pairs.append("s").append(s).append("/6.pgm s").append(t).append("/6.pgm 0\n");
    }
    Path file = tmp.getRoot().toPath().resolve(target + "-pairs.txt");
    Files.writeString(file, pairs.toString());
    ok("pack", "--input=" + shared("orl"), "--output=" + dataset.resolve(target + ".bin"), "--pairs=" + file);
    return dataset.resolve(target + ".bin");
  }

  /** A checkpoint of the small IR network trained for a few steps on 30 ORL people. */
  private Path trainedCheckpoint() throws Exception {
    Path dataset = Cli.orlTrainingSet(tmp.getRoot().toPath(), 30);
    Path out = tmp.getRoot().toPath().resolve("train-out");
    ok("train", "--config=" + Path.of("..", "configs", "ir-small-softmax-orl.json"), "--dataset=" + dataset, "--output=" + out,
        "--max_steps=4", "--val_targets=", "--ckpt=2");
    return out.resolve("model-0001");
  }

  private static Map<String, byte[]> snapshot(Path dir) throws Exception {
    Map<String, byte[]> files = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        files.put(dir.relativize(p).toString(), Files.readAllBytes(p));
      }
    }
    return files;
  }

  private static JsonObject report(Path evaluateOutput, String target) throws Exception {
    return JsonParser.parseString(Files.readString(evaluateOutput.resolve(target + "/verify/report.json"))).getAsJsonObject();
  }

  private static String percent(double v) {
    return new BigDecimal(v * 100).setScale(2, RoundingMode.HALF_EVEN).toPlainString();
  }

  private static void assertSameFiles(Map<String, byte[]> before, Map<String, byte[]> after) {
    assertEquals(before.keySet(), after.keySet());
    before.forEach((k, v) -> assertEquals(k, new String(v, StandardCharsets.UTF_8), new String(after.get(k), StandardCharsets.UTF_8)));
  }

  @Test
  public void twoModelsOnTwoPacksMakeOneTableThatGrowsComparesAndSurvivesAReRun() throws Exception {
    System.setProperty("ai.djl.offline", "true");
    Path dataset = tmp.newFolder("dataset").toPath();
    Files.copy(shared("bin/small_lfw.bin"), dataset.resolve("lfw.bin"));
    orlPack(dataset, "cfp_fp", 1);
    Path onnx = shared("models/faceplugin/fr_feature.onnx");
    Path ckpt = trainedCheckpoint();
    Path store = tmp.getRoot().toPath().resolve("store");
    Path e1 = tmp.getRoot().toPath().resolve("eval-onnx");
    Path e2 = tmp.getRoot().toPath().resolve("eval-ckpt");
    String[] evalOnnx = {"evaluate", "--runner=DirectRunner", "--dataset=" + dataset, "--model=" + onnx, "--mean=127",
        "--targets=lfw,cfp_fp", "--output=" + e1, "--results=" + store};
    ok(evalOnnx);
    ok("evaluate", "--runner=DirectRunner", "--dataset=" + dataset, "--model=" + ckpt, "--targets=lfw,cfp_fp", "--output=" + e2,
        "--results=" + store);

    // One table: both models as rows, both packs as columns, each cell the report's accuracy-flip.
    String a = report(e1, "lfw").get("model").getAsString();
    String b = report(e2, "lfw").get("model").getAsString();
    String table = ok("results", "--results=" + store).out();
    assertThat(table, containsString("| model | LFW | CFP-FP |"));
    for (Object[] m : new Object[][] {{a, e1}, {b, e2}}) {
      Path e = (Path) m[1];
      assertThat(table, containsString("| " + m[0] + " | " + percent(report(e, "lfw").get("accuracy_flip").getAsDouble()) + " | "
          + percent(report(e, "cfp_fp").get("accuracy_flip").getAsDouble()) + " |"));
    }
    Map<String, byte[]> before = snapshot(store);
    assertEquals(4 + 1, before.size()); // four records and the store's manifest

    // A third pack for one model: a new column, the other row shows "–" there, nothing else changes.
    orlPack(dataset, "agedb_30", 15);
    Path e3 = tmp.getRoot().toPath().resolve("eval-ckpt-agedb");
    ok("evaluate", "--runner=DirectRunner", "--dataset=" + dataset, "--model=" + ckpt, "--targets=agedb_30", "--output=" + e3,
        "--results=" + store);
    String grown = ok("results", "--results=" + store).out();
    assertThat(grown, containsString("| model | LFW | CFP-FP | AgeDB-30 |"));
    assertThat(grown, containsString("| " + a + " | " + percent(report(e1, "lfw").get("accuracy_flip").getAsDouble()) + " | "
        + percent(report(e1, "cfp_fp").get("accuracy_flip").getAsDouble()) + " | – |"));
    Map<String, byte[]> after = snapshot(store);
    assertEquals(before.size() + 1, after.size());
    before.forEach((k, v) -> assertEquals(k, new String(v, StandardCharsets.UTF_8), new String(after.get(k), StandardCharsets.UTF_8)));

    // --compare: B − A per pack and whether it exceeds the larger fold std, worked out from the reports.
    String compare = ok("results", "--results=" + store, "--compare=" + a + "," + b, "--benchmarks=lfw,cfp_fp").out();
    for (String[] t : new String[][] {{"lfw", "LFW"}, {"cfp_fp", "CFP-FP"}}) {
      double va = report(e1, t[0]).get("accuracy_flip").getAsDouble();
      double vb = report(e2, t[0]).get("accuracy_flip").getAsDouble();
      double std = Math.max(report(e1, t[0]).get("accuracy_flip_std").getAsDouble(), report(e2, t[0]).get("accuracy_flip_std").getAsDouble());
      BigDecimal diff = new BigDecimal((vb - va) * 100).setScale(2, RoundingMode.HALF_EVEN);
      String signed = (diff.signum() > 0 ? "+" : diff.signum() == 0 ? "±" : "") + diff.toPlainString();
      assertThat(compare, containsString("| " + t[1] + " | " + percent(va) + " | " + percent(vb) + " | " + signed + " | "
          + percent(std) + " | " + (Math.abs(vb - va) > std ? "yes" : "no") + " |"));
    }
    assertThat(compare, not(containsString("AgeDB-30")));

    // Evaluating the first model again changes nothing: every byte of the store stays.
    ok(evalOnnx);
    assertSameFiles(after, snapshot(store));

    // run with --models: its report.html shows the store's other model beside its own; a typo is refused before any work.
    Path config = Files.writeString(tmp.getRoot().toPath().resolve("run.json"), "{\"dataset\": \"" + dataset
        + "\", \"targets\": [\"cfp_fp\"], \"model\": \"" + ckpt + "\"}");
    Path work = tmp.getRoot().toPath().resolve("work");
    Cli.Run badModels = run("run", "--runner=DirectRunner", "--config=" + config, "--workdir=" + work, "--results=" + store, "--models=r100");
    assertEquals(1, badModels.status());
    assertThat(badModels.err(), containsString("--models"));
    assertEquals(false, Files.exists(work));
    ok("run", "--runner=DirectRunner", "--config=" + config, "--workdir=" + work, "--results=" + store, "--models=" + a);
    String runPage = Files.readString(work.resolve("report.html"));
    assertThat(runPage, containsString("<th>model</th><th>CFP-FP</th></tr>"));
    assertThat(runPage, containsString(">" + a + "</th><td>" + percent(report(e1, "cfp_fp").get("accuracy_flip").getAsDouble()) + "</td>"));
    assertThat(runPage, containsString(">" + b + "</th><td>" + percent(report(e2, "cfp_fp").get("accuracy_flip").getAsDouble()) + "</td>"));
    // The run measured the checkpoint on cfp_fp again: that record (its key) now points at the run's output; no other byte moved.
    Map<String, byte[]> afterRun = snapshot(store);
    assertEquals(after.keySet(), afterRun.keySet());
    int changed = 0;
    for (String k : after.keySet()) {
      String was = new String(after.get(k), StandardCharsets.UTF_8);
      String now = new String(afterRun.get(k), StandardCharsets.UTF_8);
      if (!was.equals(now)) {
        changed++;
        assertThat(was, containsString(e2.resolve("cfp_fp/verify").toString()));
        assertThat(now, containsString(work.resolve("verify/cfp_fp").toString()));
      }
    }
    assertEquals(1, changed);

    // CSV and JSON carry the same cells; a typo names what there is.
    assertThat(ok("results", "--results=" + store, "--format=csv").out(), containsString("model,model_sha256,LFW,CFP-FP,AgeDB-30"));
    Cli.Run typo = run("results", "--results=" + store, "--models=r100");
    assertEquals(1, typo.status());
    assertThat(typo.err(), containsString(a));

    // report.html across the store: every image loads in a real browser, the table has both rows and three columns.
    Path reportDir = tmp.getRoot().toPath().resolve("report");
    ok("results", "--results=" + store, "--report=" + reportDir);
    Path page = reportDir.resolve("report.html");
    String dom = HeadlessChromium.dom(page);
    Matcher loaded = Pattern.compile("data-images-loaded=\"(\\d+)/(\\d+)\"").matcher(dom);
    assertEquals("the page's image check ran", true, loaded.find());
    assertEquals("every image loads", loaded.group(2), loaded.group(1));
    assertEquals("a ROC each for CFP-FP and AgeDB-30 (LFW's pairs are all same-identity)", "2", loaded.group(2));
    assertThat(dom, not(containsString("<p class=\"missing\">")));
    String results = dom.substring(dom.indexOf("<table class=\"results\">"), dom.indexOf("</table>", dom.indexOf("<table class=\"results\">")));
    assertEquals(2, results.split("<tr><th scope=\"row\"", -1).length - 1);
    assertThat(results, containsString("<th>model</th><th>LFW</th><th>CFP-FP</th><th>AgeDB-30</th></tr>"));
    assertThat(dom, containsString("No ROC for"));
    Path shot = Path.of("target", "results-report.png");
    Files.createDirectories(shot.getParent());
    HeadlessChromium.screenshot(page, shot);
    assertEquals(true, Files.size(shot) > 10_000);
  }
}
