package dev.facebeam.pipelines.stage;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.function.LongSupplier;

/**
 * A stage's records done, read from a Flink cluster's REST API while its job runs there. Beam's
 * counters reach Flink only when a bundle finishes — in batch, a whole partition — so they cannot
 * show progress; Flink's own record counts of the step's vertex can (measured on the test cluster:
 * the embed vertex's records-out — one embedding or reject per face — grew while it ran, whereas
 * the vertices after it stay unscheduled until it ends, the batch exchanges being blocking). The
 * JobManager refreshes those counts every {@code metrics.fetcher.update-interval} (10 s by default). Any failure to reach the API keeps the
 * last count: progress never fails a run.
 */
public final class ClusterProgress implements LongSupplier {
  private final String rest;
  private final String jobName;
  private final String vertex;
  private final String metric;
  private final String userMetric; // a Beam counter summed over the vertex's subtasks ("namespace_name"), or null
  private final long since = System.currentTimeMillis();
  private String jobId;
  private String vertexId;
  private long last;

  /** Which of a vertex's counts: the records it took in, or those it sent on. */
  public enum Count {
    IN("read-records"), OUT("write-records");

    final String field;

    Count(String field) {
      this.field = field;
    }
  }

  ClusterProgress(String rest, String jobName, String step, Count count) {
    this(rest, jobName, step, count.field, null);
  }

  private ClusterProgress(String rest, String jobName, String step, String metric, String userMetric) {
    this.rest = rest;
    this.jobName = jobName;
    this.vertex = "at " + step;
    this.metric = metric;
    this.userMetric = userMetric;
  }

  /**
   * The count of the vertex whose last operator is {@code step} (its full Beam name) in the job of
   * that name, or null when {@code runner}'s {@code --flinkMaster} names no cluster by host:port
   * (the embedded Flink, {@code [auto]} under {@code flink run}, another runner).
   */
  public static LongSupplier forStage(org.apache.beam.sdk.options.PipelineOptions runner, String jobName, String step, Count count) {
    String rest = restOf(runner.as(SlotOptions.class).getFlinkMaster());
    return rest == null ? null : new ClusterProgress(rest, jobName, step, count);
  }

  /**
   * A Beam counter of a source step ({@code namespace}.{@code name}), summed over its subtasks: what a
   * step counts that sends fewer records than it has done (ingest's readers write their faces
   * themselves). Beam's Flink runner updates a source's counters in Flink after every record it
   * reads, so the count moves while the job runs. Null as for {@link #forStage}.
   */
  public static LongSupplier forSourceCounter(org.apache.beam.sdk.options.PipelineOptions runner, String jobName, String step,
      String namespace, String name) {
    String rest = restOf(runner.as(SlotOptions.class).getFlinkMaster());
    return rest == null ? null : new ClusterProgress(rest, jobName, step, null, counterId(namespace, name));
  }

  /**
   * How Flink's REST API names a Beam counter: Beam registers "namespace.name" in the operator's group, and
   * Flink's metric names turn the dot into an underscore (seen on the test cluster:
   * {@code DataSource_(at_Ingest/AlignIntoShards_(org_apache_…translation.ingest_read}).
   */
  static String counterId(String namespace, String name) {
    return namespace + "_" + name;
  }

  /** For tests and tools: {@link #forSourceCounter} against a given REST endpoint ({@code host:port}). */
  public static LongSupplier ofSourceCounter(String master, String jobName, String step, String namespace, String name) {
    return new ClusterProgress("http://" + master, jobName, step, null, counterId(namespace, name));
  }

  /** {@code http://host:port} for a Flink master named by host:port, else null. */
  static String restOf(String flinkMaster) {
    return flinkMaster != null && flinkMaster.matches("[^\\[\\]/]+:\\d+") ? "http://" + flinkMaster : null;
  }

  /** For tests and tools: the same count against a given REST endpoint ({@code host:port}). */
  public static LongSupplier of(String master, String jobName, String step, Count count) {
    return new ClusterProgress("http://" + master, jobName, step, count);
  }

  @Override
  public synchronized long getAsLong() {
    try {
      if (jobId == null) {
        jobId = newestJob();
      }
      if (jobId == null) {
        return last;
      }
      JsonObject job = get("/jobs/" + jobId);
      for (JsonElement v : job.getAsJsonArray("vertices")) {
        JsonObject o = v.getAsJsonObject();
        if (vertexId == null ? names(o.get("name").getAsString()) : o.get("id").getAsString().equals(vertexId)) {
          vertexId = o.get("id").getAsString();
          last = userMetric == null ? o.getAsJsonObject("metrics").get(metric).getAsLong() : counterSum();
        }
      }
    } catch (IOException | RuntimeException unreachable) {
      // keep the last count
    }
    return last;
  }

  /** Whether a vertex's name has the step as one of its operators: "… (at STEP)" or "… (at STEP (format)) -> …". */
  private boolean names(String vertexName) {
    return vertexName.endsWith(vertex + ")") || vertexName.contains(vertex + " (");
  }

  /** The user counter summed over the vertex's subtasks; the last count while Flink does not list it yet. */
  private long counterSum() throws IOException {
    String base = "/jobs/" + jobId + "/vertices/" + vertexId + "/subtasks/metrics";
    for (JsonElement m : getArray(base)) {
      String id = m.getAsJsonObject().get("id").getAsString();
      if (id.endsWith("." + userMetric)) {
        for (JsonElement r : getArray(base + "?agg=sum&get=" + java.net.URLEncoder.encode(id, StandardCharsets.UTF_8))) {
          return (long) r.getAsJsonObject().get("sum").getAsDouble();
        }
      }
    }
    return last;
  }

  /**
   * The most recently started job of that name that is this run's: running, or started since this
   * count began (an earlier run of the same stage on a session cluster left a finished job of that name).
   */
  private String newestJob() throws IOException {
    String id = null;
    long started = Long.MIN_VALUE;
    for (JsonElement j : get("/jobs/overview").getAsJsonArray("jobs")) {
      JsonObject o = j.getAsJsonObject();
      long start = o.get("start-time").getAsLong();
      boolean ours = o.get("state").getAsString().equals("RUNNING") || start >= since - 2000;
      if (ours && o.get("name").getAsString().equals(jobName) && start > started) {
        started = start;
        id = o.get("jid").getAsString();
      }
    }
    return id;
  }

  private JsonObject get(String path) throws IOException {
    return fetch(path).getAsJsonObject();
  }

  private com.google.gson.JsonArray getArray(String path) throws IOException {
    return fetch(path).getAsJsonArray();
  }

  private JsonElement fetch(String path) throws IOException {
    HttpURLConnection c = (HttpURLConnection) URI.create(rest + path).toURL().openConnection();
    c.setConnectTimeout(1000);
    c.setReadTimeout(2000);
    try (InputStream in = c.getInputStream()) {
      return JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } finally {
      c.disconnect();
    }
  }
}
