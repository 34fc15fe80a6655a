package dev.facebeam.runners;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import dev.facebeam.io.StageOutput;
import dev.facebeam.proto.FileDigest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * kill -9 during a stage, then the same command again: the stage restarts and every output is
 * byte-identical to an uninterrupted run, for ingest and for embed. The killed process is
 * a separate JVM running the real command on the embedded Flink; it is killed (SIGKILL) while the
 * stage's in-progress folder exists, i.e. between its start and its commit.
 */
public class CrashRecoveryTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void killedIngestAndEmbedRestartToTheSameBytes() throws Exception {
    Path shared = Path.of(System.getProperty("facebeam.sharedData", "../../shared/data"));
    assumeTrue("real fixtures not found at " + shared, Files.isDirectory(shared));
    Path dataset = tmp.newFolder("dataset").toPath();
    Files.copy(shared.resolve("bin/small_lfw.bin"), dataset.resolve("lfw.bin"));
    Path config = tmp.getRoot().toPath().resolve("run.json");
    Files.writeString(config, "{\"dataset\": \"" + dataset + "\", \"targets\": [\"lfw\"], \"model\": \""
        + shared.resolve("models/faceplugin/fr_feature.onnx").toAbsolutePath() + "\", \"mean\": 127}");
    Path clean = tmp.getRoot().toPath().resolve("clean");
    assertEquals(0, run(config, clean));

    for (String stage : List.of("ingest", "embed")) {
      Path work = tmp.getRoot().toPath().resolve("killed-" + stage);
      Process p = child(config, work);
      Path parent = work.resolve(stage);
      boolean seen = false;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (!seen && p.isAlive() && System.nanoTime() < deadline) {
        seen = Files.isDirectory(parent) && inProgress(parent);
        if (!seen) {
          Thread.sleep(5);
        }
      }
      assertTrue("the " + stage + " stage was never seen running", seen);
      p.destroyForcibly(); // SIGKILL on Linux
      assertTrue(p.waitFor(60, TimeUnit.SECONDS));
      assertFalse(stage + " must not have committed", Files.exists(parent.resolve("lfw").resolve(StageOutput.MANIFEST)));
      assertEquals(0, run(config, work)); // the same command again
      assertFalse("leftovers removed", inProgress(parent));
      for (String s : List.of("ingest", "embed", "verify")) {
        assertEquals(stage + " killed, " + s + " outputs", outputs(clean.resolve(s).resolve("lfw")), outputs(work.resolve(s).resolve("lfw")));
      }
    }
  }

  private static boolean inProgress(Path parent) throws Exception {
    try (var s = Files.list(parent)) {
      return s.anyMatch(f -> f.getFileName().toString().startsWith(".lfw.inprogress-"));
    }
  }

  /** Every output file's name, size and SHA-256 as the manifest lists them (the manifest itself holds a timestamp). */
  private static List<String> outputs(Path dir) throws Exception {
    List<String> out = new ArrayList<>();
    for (FileDigest d : StageOutput.readManifest(dir).getOutputsList()) {
      out.add(d.getPath() + " " + d.getBytes() + " " + d.getSha256());
      assertEquals(d.getSha256(), dev.facebeam.io.Digests.sha256(dir.resolve(d.getPath())));
    }
    return out;
  }

  private static int run(Path config, Path work) {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(sink, true, StandardCharsets.UTF_8);
    int status = Main.run(new String[] {"run", "--config=" + config, "--workdir=" + work}, ps, ps);
    if (status != 0) {
      System.out.println(sink.toString(StandardCharsets.UTF_8));
    }
    return status;
  }

  /** The same command in another JVM: this test's class path, memory and --add-opens. */
  private static Process child(Path config, Path work) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (a.startsWith("--add-opens") || a.startsWith("-Xmx")) {
        cmd.add(a);
      }
    }
    cmd.add("-Dai.djl.offline=true");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Main.class.getName());
    cmd.add("run");
    cmd.add("--config=" + config);
    cmd.add("--workdir=" + work);
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
  }
}
