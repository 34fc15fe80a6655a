package dev.facebeam.runners;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Flink 1.19 standalone session cluster on loopback, as separate JVMs started from the Flink jars
 * on Maven Central (there is no Flink distribution here; docs/stack.md): one JobManager
 * ({@code StandaloneSessionClusterEntrypoint}) and N TaskManagers ({@code TaskManagerRunner}). Their
 * class path is what a Flink distribution's {@code lib/} would hold — Flink and its dependencies —
 * plus DJL, loaded parent-first (the session-cluster caveat in docs/stack.md): Beam and facebeam come only
 * from the submitted job jar.
 */
final class StandaloneFlinkCluster implements AutoCloseable {
  /** What Flink's start scripts open on Java 17 (env.java.default-opts.all). */
  private static final List<String> OPENS = List.of("java.lang", "java.net", "java.io", "java.nio", "sun.nio.ch", "java.lang.reflect",
      "java.text", "java.time", "java.util", "java.util.concurrent", "java.util.concurrent.atomic", "java.util.concurrent.locks",
      "java.lang.invoke");

  private final Path dir;
  private final int restPort;
  private final Process jobManager;
  private final List<Process> taskManagers = new ArrayList<>();

  private final String classPath;

  private StandaloneFlinkCluster(Path dir, int restPort, Process jobManager, String classPath) {
    this.dir = dir;
    this.restPort = restPort;
    this.jobManager = jobManager;
    this.classPath = classPath;
  }

  /** Starts the cluster and waits until every TaskManager has registered. */
  static StandaloneFlinkCluster start(Path dir, int taskManagers, int slotsPerTaskManager) throws Exception {
    Path conf = Files.createDirectories(dir.resolve("conf"));
    Files.createDirectories(dir.resolve("logs"));
    int rpcPort = freePort(-1);
    int restPort = freePort(rpcPort);
    Files.writeString(conf.resolve("flink-conf.yaml"), String.join("\n",
        "jobmanager.rpc.address: localhost",
        "jobmanager.rpc.port: " + rpcPort,
        "jobmanager.bind-host: localhost",
        "jobmanager.memory.process.size: 1024m",
        "rest.address: localhost",
        "rest.port: " + restPort,
        "rest.bind-address: localhost",
        // The REST API caches a job's state for this long (3 s by default): the test polls it.
        "web.refresh-interval: 100",
        // The JobManager fetches the TaskManagers' record counts this often (10 s by default): the progress line reads them.
        "metrics.fetcher.update-interval: 1000",
        "taskmanager.host: localhost",
        "taskmanager.bind-host: localhost",
        "taskmanager.numberOfTaskSlots: " + slotsPerTaskManager,
        // No start scripts compute these here: every TaskManager resource is explicit.
        "taskmanager.cpu.cores: " + slotsPerTaskManager,
        "taskmanager.memory.framework.heap.size: 128m",
        "taskmanager.memory.task.heap.size: 1024m",
        "taskmanager.memory.framework.off-heap.size: 128m",
        "taskmanager.memory.task.off-heap.size: 256m",
        "taskmanager.memory.network.min: 256m",
        "taskmanager.memory.network.max: 256m",
        "taskmanager.memory.managed.size: 64m",
        "taskmanager.memory.jvm-metaspace.size: 512m",
        "taskmanager.memory.jvm-overhead.min: 256m",
        "taskmanager.memory.jvm-overhead.max: 256m",
        // A lost TaskManager fails the job's tasks; the job restarts on the slots left.
        "restart-strategy.type: fixed-delay",
        "restart-strategy.fixed-delay.attempts: 10",
        "restart-strategy.fixed-delay.delay: 2 s",
        "heartbeat.interval: 1000",
        "heartbeat.timeout: 8000",
        // Spread a job's tasks over the TaskManagers, so that killing one hits the running job.
        "cluster.evenly-spread-out-slots: true",
        // DJL's native library loads once per JVM: keep DJL in the TaskManager's own class loader.
        "classloader.parent-first-patterns.additional: ai.djl.;com.microsoft.onnxruntime.",
        "") );
    String classPath = distributionClassPath();
    StandaloneFlinkCluster c = new StandaloneFlinkCluster(dir, restPort,
        jvm(dir, classPath, "-Xmx768m", "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint", "jobmanager", conf),
        classPath);
    try {
      for (int i = 1; i <= taskManagers; i++) {
        c.taskManagers.add(jvm(dir, classPath, "-Xmx1152m", "org.apache.flink.runtime.taskexecutor.TaskManagerRunner", "tm-" + i, conf,
            "-XX:MaxDirectMemorySize=640m", "-Dtaskmanager.resource-id=tm-" + i));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (true) {
        try {
          if (c.get("/overview").get("taskmanagers").getAsInt() == taskManagers) {
            return c;
          }
        } catch (IOException notYet) {
          // the REST endpoint is still starting
        }
        if (System.nanoTime() > deadline || !c.jobManager.isAlive()) {
          throw new IllegalStateException("the cluster did not come up; logs in " + dir.resolve("logs") + "\n" + c.logTail());
        }
        Thread.sleep(500);
      }
    } catch (Exception | Error e) {
      c.close();
      throw e;
    }
  }

  /** {@code localhost:PORT}, for {@code --flinkMaster}. */
  String master() {
    return "localhost:" + restPort;
  }

  /** GET on the REST API, as JSON. */
  JsonObject get(String path) throws IOException {
    HttpURLConnection c = (HttpURLConnection) URI.create("http://localhost:" + restPort + path).toURL().openConnection();
    c.setConnectTimeout(2000);
    c.setReadTimeout(5000);
    try (InputStream in = c.getResponseCode() < 400 ? c.getInputStream() : c.getErrorStream()) {
      String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      if (c.getResponseCode() >= 400) {
        throw new IOException(path + ": HTTP " + c.getResponseCode() + " " + body);
      }
      return JsonParser.parseString(body).getAsJsonObject();
    } finally {
      c.disconnect();
    }
  }

  /** The id of the job of that name in that state, or null. */
  String job(String name, String state) throws IOException {
    for (JsonElement j : get("/jobs/overview").getAsJsonArray("jobs")) {
      JsonObject o = j.getAsJsonObject();
      if (o.get("name").getAsString().equals(name) && o.get("state").getAsString().equals(state)) {
        return o.get("jid").getAsString();
      }
    }
    return null;
  }

  /** The TaskManagers (resource ids) running a task of the job's vertices whose name contains {@code part}. */
  List<String> taskManagersRunning(String jobId, String part) throws IOException {
    List<String> out = new ArrayList<>();
    for (JsonElement v : get("/jobs/" + jobId).getAsJsonArray("vertices")) {
      JsonObject vertex = v.getAsJsonObject();
      if (!vertex.get("name").getAsString().contains(part)) {
        continue;
      }
      JsonArray tms = get("/jobs/" + jobId + "/vertices/" + vertex.get("id").getAsString() + "/taskmanagers").getAsJsonArray("taskmanagers");
      for (JsonElement t : tms) {
        JsonObject tm = t.getAsJsonObject();
        String id = tm.get("taskmanager-id").getAsString();
        if (tm.get("status").getAsString().equals("RUNNING") && !out.contains(id)) {
          out.add(id);
        }
      }
    }
    return out;
  }

  /**
   * {@code flink run JAR ARGS}: Flink's own command-line client ({@code CliFrontend}, what the
   * distribution's {@code bin/flink} starts) on the distribution's class path, pointed at this
   * cluster by its configuration folder.
   */
  Process flinkRun(Path log, Path jar, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g"));
    for (String pkg : OPENS) {
      cmd.add("--add-opens=java.base/" + pkg + "=ALL-UNNAMED");
    }
    cmd.addAll(List.of("-cp", classPath, "org.apache.flink.client.cli.CliFrontend", "run", jar.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder b = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    b.environment().put("FLINK_CONF_DIR", dir.resolve("conf").toString());
    return b.start();
  }

  /** SIGKILL to TaskManager {@code tm-K}. */
  void killTaskManager(String resourceId) throws InterruptedException {
    Process p = taskManagers.get(Integer.parseInt(resourceId.substring("tm-".length())) - 1);
    p.destroyForcibly();
    p.waitFor(30, TimeUnit.SECONDS);
  }

  /** The last lines of every log, for a failure message. */
  String logTail() {
    StringBuilder b = new StringBuilder();
    try (var s = Files.list(dir.resolve("logs"))) {
      for (Path log : s.sorted().toList()) {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        b.append("== ").append(log.getFileName()).append('\n');
        lines.subList(Math.max(0, lines.size() - 15), lines.size()).forEach(l -> b.append(l).append('\n'));
      }
    } catch (IOException e) {
      b.append("(logs unreadable: ").append(e.getMessage()).append(")");
    }
    return b.toString();
  }

  @Override
  public void close() {
    for (Process p : taskManagers) {
      p.destroyForcibly();
    }
    jobManager.destroyForcibly();
    try {
      for (Process p : taskManagers) {
        p.waitFor(30, TimeUnit.SECONDS);
      }
      jobManager.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * This test's class path less Beam and facebeam (which must come from the job jar, as on a real
   * cluster) and less class folders: Flink, its dependencies, DJL and the logging backend.
   */
  private static String distributionClassPath() {
    List<String> kept = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      String e = entry.replace(File.separatorChar, '/');
      if (e.contains("/org/apache/beam/") || e.contains("/dev/facebeam/") || e.contains("/facebeam-") || !e.endsWith(".jar")) {
        continue;
      }
      kept.add(entry);
    }
    return String.join(File.pathSeparator, kept);
  }

  private static Process jvm(Path dir, String classPath, String heap, String main, String name, Path conf, String... extra) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add(heap);
    String dynamic = null;
    for (String x : extra) {
      if (x.startsWith("-Dtaskmanager.")) {
        dynamic = x;
      } else {
        cmd.add(x);
      }
    }
    for (String pkg : OPENS) {
      cmd.add("--add-opens=java.base/" + pkg + "=ALL-UNNAMED");
    }
    cmd.add("-Djava.io.tmpdir=" + Files.createDirectories(dir.resolve("tmp-" + name)));
    cmd.add("-cp");
    cmd.add(classPath);
    cmd.add(main);
    cmd.add("--configDir");
    cmd.add(conf.toString());
    if (dynamic != null) {
      cmd.add("-D");
      cmd.add(dynamic.substring(2));
    }
    Path log = dir.resolve("logs").resolve(name + ".log");
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  /**
   * A free port below Linux's ephemeral range (32768 and up): a port the kernel hands out for bind(0) was
   * once taken, between this check and the JobManager's bind, by the JobManager's own blob server or RPC
   * ("Could not start rest endpoint on any port in port range 40007").
   */
  private static int freePort(int other) throws IOException {
    java.util.Random random = new java.util.Random();
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = 20000 + random.nextInt(12000);
      if (port == other) {
        continue;
      }
      try (ServerSocket s = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
        return s.getLocalPort();
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IOException("no free port between 20000 and 32000");
  }
}
