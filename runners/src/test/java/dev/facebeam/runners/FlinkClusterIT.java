package dev.facebeam.runners;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.facebeam.io.StageOutput;
import dev.facebeam.pipelines.stage.ClusterProgress;
import dev.facebeam.proto.FileDigest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The bundled jar on a real Flink 1.19 standalone cluster: a JobManager and two
 * TaskManagers as separate JVMs on loopback; {@code facebeam.jar run --flinkMaster=localhost:PORT}
 * gives the same outputs, byte for byte, as the embedded run; one TaskManager is killed (SIGKILL)
 * while the embed stage runs, the job restarts on the slots left and the outputs are still the same.
 * Two targets, so two embed jobs load DJL in the same TaskManager (the session-cluster caveat).
 * Then {@code flink run facebeam.jar ingest …} through Flink's own client gives the embedded bytes too.
 */
public class FlinkClusterIT {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void clusterRunEqualsEmbeddedRunAndSurvivesALostTaskManager() throws Exception {
    Path shared = Path.of(System.getProperty("facebeam.sharedData", "../../shared/data")).toAbsolutePath().normalize();
    assumeTrue("real fixtures not found at " + shared, Files.isDirectory(shared));
    Path jar = Path.of(System.getProperty("facebeam.jar", "target/facebeam.jar"));
    assertTrue("the bundled jar is built by `package` before this test: " + jar, Files.isRegularFile(jar));
    // -Dfacebeam.itDir=DIR keeps the run's folders and the cluster's logs for a look afterwards.
    String keep = System.getProperty("facebeam.itDir");
    Path root = keep == null ? tmp.getRoot().toPath() : Files.createDirectories(Path.of(keep).toAbsolutePath());

    // Two packs: the real small_lfw.bin, and an ORL pack of 100 pairs (200 faces) so that embed runs long enough to be hit.
    Path dataset = Files.createDirectories(root.resolve("dataset"));
    Files.copy(shared.resolve("bin/small_lfw.bin"), dataset.resolve("lfw.bin"));
    StringBuilder pairs = new StringBuilder();
    for (int k = 0; k < 50; k++) {
      int s = 1 + k % 25;
      int i = 1 + 2 * (k / 25);
      pairs.append(String.format("s%d/%d.pgm s%d/%d.pgm 1%n", s, i, s, i + 1));
      pairs.append(String.format("s%d/%d.pgm s%d/%d.pgm 0%n", s, 5 + k / 25, 1 + (s + 6) % 40, 7 + k / 25));
    }
    Path pairsFile = Files.writeString(root.resolve("pairs.txt"), pairs.toString());
    assertEquals(0, facebeam(jar, root.resolve("pack.log"), "pack", "--input=" + shared.resolve("orl"),
        "--output=" + dataset.resolve("orl.bin"), "--pairs=" + pairsFile).waitFor());
    Path config = Files.writeString(root.resolve("run.json"), "{\"dataset\": \"" + dataset + "\", \"targets\": [\"lfw\", \"orl\"], "
        + "\"model\": \"" + shared.resolve("models/faceplugin/fr_feature.onnx") + "\", \"mean\": 127}");

    Path embedded = root.resolve("embedded");
    Process local = facebeam(jar, root.resolve("embedded.log"), "run", "--config=" + config, "--workdir=" + embedded);
    assertEquals(log(root.resolve("embedded.log")), 0, finish(local, 600));

    try (StandaloneFlinkCluster cluster = StandaloneFlinkCluster.start(root.resolve("flink"), 2, 2)) {
      Path onCluster = root.resolve("cluster");
      // The progress line's counts, read from the REST API as the launcher reads them.
      LongSupplier ingested = ClusterProgress.ofSourceCounter(cluster.master(), "facebeam-ingest-orl",
          dev.facebeam.pipelines.ingest.IngestPipeline.PROGRESS_STEP, dev.facebeam.transforms.PackShardSource.COUNTER_NAMESPACE,
          dev.facebeam.transforms.PackShardSource.READ);
      LongSupplier embeddedSoFar = ClusterProgress.of(cluster.master(), "facebeam-embed-orl", dev.facebeam.pipelines.embed.EmbedPipeline.PROGRESS_STEP,
          ClusterProgress.Count.OUT);
      Process remote = facebeam(jar, root.resolve("cluster.log"), "run", "--config=" + config, "--workdir=" + onCluster,
          "--flinkMaster=" + cluster.master(), "--parallelism=2");
      // Wait for the ORL embed job's model step to run on a TaskManager, let it embed a while, then kill that TaskManager.
      String job = null;
      List<String> running = List.of();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
      java.util.TreeSet<Long> ingestedSeen = new java.util.TreeSet<>(); // ingest's count, read while its job runs
      while (running.isEmpty() && remote.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(200);
        ingestedSeen.add(ingested.getAsLong());
        job = cluster.job("facebeam-embed-orl", "RUNNING");
        if (job != null) {
          running = cluster.taskManagersRunning(job, "EmbedFaces");
        }
      }
      assertTrue("the embed job never ran on the cluster\n" + log(root.resolve("cluster.log")) + cluster.logTail(), !running.isEmpty());
      Thread.sleep(1500); // the model loads in about a second; 100 faces per task then take several seconds more
      long beforeKill = embeddedSoFar.getAsLong();
      String victim = running.get(running.size() - 1);
      cluster.killTaskManager(victim);

      java.util.TreeSet<Long> seen = new java.util.TreeSet<>(); // the progress line's counts while the job recovers and runs
      for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(600); remote.isAlive() && System.nanoTime() < end; Thread.sleep(250)) {
        seen.add(embeddedSoFar.getAsLong());
        ingestedSeen.add(ingested.getAsLong());
      }
      int status = finish(remote, 10);
      System.out.println(log(root.resolve("cluster.log")));
      assertEquals(cluster.logTail(), 0, status);
      // The job really failed over: it finished, and its exception history names the lost TaskManager's failure.
      JsonObject details = cluster.get("/jobs/" + job);
      assertEquals("FINISHED", details.get("state").getAsString());
      JsonObject exceptions = cluster.get("/jobs/" + job + "/exceptions");
      assertTrue("no failure recorded for job " + job + ": " + exceptions, exceptions.getAsJsonObject("exceptionHistory")
          .getAsJsonArray("entries").size() > 0);
      var entries = exceptions.getAsJsonObject("exceptionHistory").getAsJsonArray("entries");
      System.out.printf("killed %s while job %s embedded on %s; %d failure(s) recorded, first: %s%n", victim, job, running, entries.size(),
          entries.get(0).getAsJsonObject().get("exceptionName").getAsString());
      assertEquals(1, cluster.get("/overview").get("taskmanagers").getAsInt());
      assertNotNull("the lfw embed job ran on the cluster too", cluster.job("facebeam-embed-lfw", "FINISHED"));
      // Every ORL face was counted once by the finished jobs (the restarted attempt's counts).
      // Ingest's count is its readers' counter, which Flink lists only while the job runs: never more than the faces.
      System.out.printf("progress counts: %d embedded when the TaskManager was killed, then %s; ingested seen %s, %d embedded at the end%n",
          beforeKill, seen, ingestedSeen, embeddedSoFar.getAsLong());
      assertTrue(ingestedSeen.toString(), ingestedSeen.last() <= 200);
      assertEquals(200, embeddedSoFar.getAsLong());

      for (String stage : List.of("ingest", "embed", "verify")) {
        for (String target : List.of("lfw", "orl")) {
          assertEquals(stage + "/" + target, outputs(embedded.resolve(stage).resolve(target)), outputs(onCluster.resolve(stage).resolve(target)));
        }
      }
      assertEquals(Files.readString(embedded.resolve("verify/orl/report.json")), Files.readString(onCluster.resolve("verify/orl/report.json")));
      assertTrue(Files.readString(onCluster.resolve("report.md")).contains("| fr_feature |"));

      // The README's other way in: `flink run facebeam.jar ingest …` through Flink's own client, on the TaskManager left.
      Path viaCli = root.resolve("flink-run-ingest");
      Process cli = cluster.flinkRun(root.resolve("flink-run.log"), jar, "ingest", "--input=" + dataset.resolve("orl.bin"),
          "--output=" + viaCli);
      int cliStatus = finish(cli, 300);
      assertEquals(log(root.resolve("flink-run.log")), 0, cliStatus);
      assertEquals(outputs(embedded.resolve("ingest/orl")), outputs(viaCli));

      // Balance: a folder of 100 four-face tasks, every fourth ten times costlier to decode (large JPEGs), ingested
      // on the two slots left. Flink hands the splits out as slots ask (the assignment itself: IngestSplitsTest);
      // here both slots read some, every face is counted once, and the progress count moves while it runs.
      Path uneven = unevenFolder(root.resolve("uneven"), shared.resolve("orl"));
      LongSupplier unevenSoFar = ClusterProgress.ofSourceCounter(cluster.master(), "facebeam-ingest-uneven-ingest",
          dev.facebeam.pipelines.ingest.IngestPipeline.PROGRESS_STEP, dev.facebeam.transforms.PackShardSource.COUNTER_NAMESPACE,
          dev.facebeam.transforms.PackShardSource.READ);
      Process balanced = facebeam(jar, root.resolve("uneven.log"), "ingest", "--input=" + uneven, "--output=" + root.resolve("uneven-ingest"),
          "--recordsPerShard=4", "--flinkMaster=" + cluster.master(), "--parallelism=2");
      java.util.TreeSet<Long> unevenSeen = new java.util.TreeSet<>();
      for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(300); balanced.isAlive() && System.nanoTime() < end; Thread.sleep(100)) {
        unevenSeen.add(unevenSoFar.getAsLong());
      }
      assertEquals(log(root.resolve("uneven.log")) + cluster.logTail(), 0, finish(balanced, 10));
      assertEquals(400, StageOutput.readManifest(root.resolve("uneven-ingest")).getWritten());
      assertEquals(100, StageOutput.readManifest(root.resolve("uneven-ingest")).getShardsCount());
      String unevenJob = cluster.job("facebeam-ingest-uneven-ingest", "FINISHED");
      List<Long> perSlot = new ArrayList<>();
      long ran = 0; // how long the reading vertex's subtasks were RUNNING (its duration also counts deploying and start-up)
      for (JsonElement v : cluster.get("/jobs/" + unevenJob).getAsJsonArray("vertices")) {
        if (v.getAsJsonObject().get("name").getAsString().contains("at " + dev.facebeam.pipelines.ingest.IngestPipeline.PROGRESS_STEP + " (")) {
          String vertex = "/jobs/" + unevenJob + "/vertices/" + v.getAsJsonObject().get("id").getAsString();
          for (JsonElement t : cluster.get(vertex).getAsJsonArray("subtasks")) {
            perSlot.add(t.getAsJsonObject().getAsJsonObject("metrics").get("write-records").getAsLong());
          }
          long started = Long.MAX_VALUE;
          long finished = Long.MIN_VALUE;
          for (JsonElement t : cluster.get(vertex + "/subtasktimes").getAsJsonArray("subtasks")) {
            JsonObject times = t.getAsJsonObject().getAsJsonObject("timestamps");
            started = Math.min(started, times.get("RUNNING").getAsLong());
            finished = Math.max(finished, times.get("FINISHED").getAsLong());
          }
          ran = finished - started;
        }
      }
      System.out.printf("uneven ingest: %d ms; progress seen %s; the reading step's records out per slot %s%n", ran, unevenSeen, perSlot);
      assertEquals(perSlot.toString(), 2, perSlot.size());
      assertTrue(perSlot.toString(), perSlot.get(0) > 0 && perSlot.get(1) > 0);
      assertTrue(unevenSeen.toString(), unevenSeen.last() <= 400);
      // The JobManager fetches counters once a second (the cluster's setting) and forgets a finished job's, and
      // Flink lists a Beam counter only after its first fetch following the first record: a reading step that ran
      // five fetches long must have shown a count while it ran (a quick one may show none; CI saw 5.3 s of a
      // vertex's duration, start-up included, with none).
      assertTrue(ran + " ms running, seen " + unevenSeen, ran < 5000 || unevenSeen.last() > 0);

      // all-pairs: its blocks spread over the cluster's slots, its two passes' counts summed there — the same report bytes
      // as the embedded runner's (the canonical kernel decides every number, whatever the BLAS did on each worker).
      Path fixture = Path.of("../core/src/test/resources/allpairs").toAbsolutePath().normalize();
      List<String> allPairs = List.of("all-pairs", "--embeddingsNpy=" + fixture.resolve("embeddings.npy"),
          "--labels=" + fixture.resolve("labels.txt"), "--groups=" + fixture.resolve("groups.txt"), "--far=1e-5,1e-4,1e-3,1e-2,1e-1",
          "--blockRows=300", "--results=" + root.resolve("store"));
      List<String> here = new ArrayList<>(allPairs);
      here.add("--output=" + root.resolve("all-pairs-embedded"));
      assertEquals(log(root.resolve("all-pairs-embedded.log")), 0,
          finish(facebeam(jar, root.resolve("all-pairs-embedded.log"), here.toArray(String[]::new)), 300));
      List<String> there = new ArrayList<>(allPairs);
      there.addAll(List.of("--output=" + root.resolve("all-pairs-cluster"), "--flinkMaster=" + cluster.master(), "--parallelism=2"));
      assertEquals(log(root.resolve("all-pairs-cluster.log")) + cluster.logTail(), 0,
          finish(facebeam(jar, root.resolve("all-pairs-cluster.log"), there.toArray(String[]::new)), 300));
      assertNotNull("all-pairs ran on the cluster", cluster.job("facebeam-allpairs-all-pairs-cluster", "FINISHED"));
      assertEquals(outputs(root.resolve("all-pairs-embedded")), outputs(root.resolve("all-pairs-cluster")));
    }
  }

  /**
   * 100 folders of 4 faces, one task each at 4 faces a task: ORL's images, every fourth folder's as JPEGs
   * scaled up ten times in each direction (about a hundred times the pixels to decode).
   */
  private static Path unevenFolder(Path dir, Path orl) throws Exception {
    List<Path> faces;
    try (var s = Files.walk(orl)) {
      faces = s.filter(p -> p.toString().endsWith(".pgm")).sorted().toList();
    }
    for (int k = 0; k < 100; k++) {
      Path folder = Files.createDirectories(dir.resolve(String.format("p%03d", k)));
      for (int i = 0; i < 4; i++) {
        Path face = faces.get(4 * k + i);
        if (k % 4 == 0) {
          dev.facebeam.codec.image.RgbPixels px = dev.facebeam.codec.image.ImageCodec.decode(Files.readAllBytes(face));
          int w = px.width() * 10;
          int h = px.height() * 10;
          byte[] big = new byte[w * h * 3];
          for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
              System.arraycopy(px.rgb(), ((y / 10) * px.width() + x / 10) * 3, big, (y * w + x) * 3, 3);
            }
          }
          Files.write(folder.resolve(i + ".jpg"), dev.facebeam.codec.image.ImageCodec.encodeJpeg(new dev.facebeam.codec.image.RgbPixels(w, h, big), 90));
        } else {
          Files.copy(face, folder.resolve(i + ".pgm"));
        }
      }
    }
    return dir;
  }

  /** Every output file's name, size and SHA-256 as the manifest lists them, each checked against the file. */
  private static List<String> outputs(Path dir) throws Exception {
    List<String> out = new ArrayList<>();
    for (FileDigest d : StageOutput.readManifest(dir).getOutputsList()) {
      out.add(d.getPath() + " " + d.getBytes() + " " + d.getSha256());
      assertEquals(d.getSha256(), dev.facebeam.io.Digests.sha256(dir.resolve(d.getPath())));
    }
    assertTrue(dir + " has outputs", !out.isEmpty());
    return out;
  }

  /** {@code java -jar facebeam.jar ARGS}, as a user runs it. */
  private static Process facebeam(Path jar, Path log, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g", "-jar",
        jar.toString()));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private static int finish(Process p, int seconds) throws Exception {
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return -1;
    }
    return p.exitValue();
  }

  private static String log(Path file) throws Exception {
    return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "(no log)";
  }
}
