package dev.facebeam.pipelines.stage;

import dev.facebeam.UserInputException;
import dev.facebeam.io.Digests;
import dev.facebeam.io.StageFiles;
import dev.facebeam.io.StageOutput;
import dev.facebeam.proto.StageManifest;
import dev.facebeam.transforms.WriteLines;
import dev.facebeam.transforms.WriteShards;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * What every stage does around its pipeline: run it, count collections inside it (runner
 * independent, unlike metrics), read the counts back, complete the shard set and hash the outputs.
 */
public final class Stages {
  

  private Stages() {}

  /**
   * Runs a stage's pipeline to the end; anything but DONE is a failure. The job is named after the
   * stage and its output folder ({@code facebeam-embed-lfw}), so that a cluster's web UI and REST API
   * tell a run's jobs apart.
   */
  public static void runToCompletion(PipelineOptions runner, PTransform<PBegin, PDone> stage, String name, Path output) {
    // Beam takes the job name from the options the pipeline is made with: set for this job only.
    String callersName = runner.getJobName();
    runner.setJobName(jobName(name, output));
    try {
      Pipeline p = Pipeline.create(runner);
      p.apply(name, stage);
      PipelineResult.State state = p.run().waitUntilFinish();
      if (state != PipelineResult.State.DONE) {
        throw new IllegalStateException(name + " pipeline ended in state " + state);
      }
    } finally {
      runner.setJobName(callersName);
    }
  }

  /** What a stage writes into its work folder; returns the manifest to commit (its outputs are digested after). */
  @FunctionalInterface
  public interface Body {
    StageManifest.Builder write(StageOutput out) throws IOException;
  }

  /**
   * Every stage's skeleton, written once: begin the output (lock, work folder), let the stage write
   * it, digest its files into the manifest and commit — or, on any failure, abort, leaving the
   * earlier output as it was (docs/outputs.md).
   */
  public static StageManifest commit(Path target, String stage, Body body) {
    StageOutput out = StageOutput.begin(target);
    try {
      StageManifest.Builder m = body.write(out);
      digestOutputs(out.work(), m);
      StageManifest manifest = m.build();
      out.commit(manifest);
      return manifest;
    } catch (IOException e) {
      out.abort();
      throw new java.io.UncheckedIOException("cannot write the " + stage + " output " + target + ": " + e.getMessage(), e);
    } catch (RuntimeException | Error e) {
      out.abort();
      throw e;
    }
  }

  /** The manifest's warnings (property or header mismatch, ignored files …), one console line each, not only in manifest.json. */
  public static String warnings(StageManifest m) {
    StringBuilder sb = new StringBuilder();
    for (String w : m.getWarningsList()) {
      sb.append("\nwarning: ").append(w);
    }
    return sb.toString();
  }

  /** {@code facebeam-embed-lfw}: the stage and its output folder. */
  public static String jobName(String name, Path output) {
    return ("facebeam-" + name + "-" + output.getFileName()).toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_.-]", "_");
  }

  /** A manifest with what every stage records: stage, counts (checked to reconcile), time, version, runner. */
  public static StageManifest.Builder manifest(String stage, String input, long read, long written, long rejected, PipelineOptions options) {
    if (read != written + rejected) {
      throw new IllegalStateException("counts do not reconcile: read " + read + " != written " + written + " + rejected " + rejected);
    }
    return StageManifest.newBuilder()
        .setStage(stage)
        .setInput(input)
        .setRead(read)
        .setWritten(written)
        .setRejected(rejected)
        .setCreated(Instant.now().toString())
        .setFacebeamVersion(Version.get())
        .setRunner(options.getRunner().getSimpleName());
  }

  /** The manifest parameters that name the model and how it embedded: copied on to every scoring stage's manifest. */
  static final java.util.List<String> MODEL_PARAMETERS = java.util.List.of("model_name", "model_sha256", "preprocessing", "flip", "engine");

  /**
   * Copies from an embed output's manifest what names the model and how it embedded, so a scoring
   * stage's output says by itself what its numbers are of (docs/results.md).
   */
  public static StageManifest.Builder describeModel(StageManifest embed, StageManifest.Builder m) {
    for (String k : MODEL_PARAMETERS) {
      if (embed.containsParameters(k)) {
        m.putParameters(k, embed.getParametersOrThrow(k));
      }
    }
    return m;
  }

  /** The same for features given as files: a method name, an identity of the features, nothing known of preprocessing. */
  public static StageManifest.Builder describeFeatures(String name, String identity, StageManifest.Builder m) {
    return m.putParameters("model_name", name).putParameters("model_sha256", identity)
        .putParameters("preprocessing", "unknown: features given as files");
  }

  /**
   * A collection's size as the line "name\tN". Where {@code c} also flows on to other steps, Flink's
   * batch runner materialises it on disk first (the count and those steps meet again in the counts
   * file): count a large stream where it is already known instead — its source, its writer's
   * {@link #written}, a step's own partial counts ({@link #sum}) — as ingest and embed do (docs/outputs.md).
   */
  public static <T> PCollection<String> count(PCollection<T> c, String name) {
    String step = "Count_" + name;
    return c.apply(step, Count.globally())
        .apply(step + "_Line", MapElements.into(TypeDescriptors.strings()).via(n -> name + "\t" + n));
  }

  /** Partial counts summed, as the line "name\tN". */
  public static PCollection<String> sum(PCollection<Long> parts, String name) {
    return line(parts.apply("Sum_" + name, Sum.longsGlobally()), name);
  }

  /** The records in written files as the line "name\tN": counted by the writer, which already holds them. */
  public static PCollection<String> written(PCollection<WriteShards.Written> files, String name) {
    return sum(files.apply("Records_" + name, MapElements.into(TypeDescriptors.longs()).via(WriteShards.Written::records)), name);
  }

  /** A number computed in the pipeline as the line "name\tN". */
  public static PCollection<String> line(PCollection<Long> n, String name) {
    return n.apply("Line_" + name, MapElements.into(TypeDescriptors.strings()).via(v -> name + "\t" + v));
  }

  public static void write(List<PCollection<String>> counts, String workDir) {
    PCollectionList.of(counts)
        .apply("AllCounts", Flatten.pCollections())
        .apply("WriteCounts", new WriteLines(workDir + "/" + StageLayout.COUNTS));
  }

  /** Reads and removes the counts file. */
  public static Map<String, Long> read(Path work) throws IOException {
    Map<String, Long> counts = new HashMap<>();
    for (String line : Files.readAllLines(work.resolve(StageLayout.COUNTS), StandardCharsets.UTF_8)) {
      String[] kv = line.split("\t");
      counts.put(kv[0], Long.parseLong(kv[1]));
    }
    Files.delete(work.resolve(StageLayout.COUNTS));
    return counts;
  }

  /** Creates empty shards that got no records and an empty rejects file, so the set is complete. */
  public static void complete(Path work, int shards, String rejects, StageManifest.Builder m) throws IOException {
    Path r = work.resolve(rejects);
    if (!Files.exists(r)) {
      Files.createFile(r);
    }
    for (int s = 0; s < shards; s++) {
      Path shard = work.resolve(StageFiles.shardName(s, shards));
      if (!Files.exists(shard)) {
        Files.createFile(shard);
      }
      m.addShards(shard.getFileName().toString());
    }
  }

  /** Size and SHA-256 of every file in the output, for the manifest. */
  public static void digestOutputs(Path work, StageManifest.Builder m) throws IOException {
    List<Path> outputs;
    try (var s = Files.list(work)) {
      outputs = s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().equals(StageOutput.MARKER))
          .filter(p -> !Digests.isSidecar(p)).sorted().toList();
    }
    for (Path o : outputs) {
      m.addOutputs(Digests.ofOutput(o, o.getFileName().toString()));
    }
    try (var s = Files.list(work)) {
      for (Path orphan : s.filter(Digests::isSidecar).toList()) {
        Files.delete(orphan); // a sidecar whose file is gone (a task retried elsewhere, say): never an output
      }
    }
  }

  /**
   * A stage that read records and wrote none failed, though its output (rejects.jsonl with every
   * reason) is committed for the user to read: an error naming the input and the count.
   */
  public static void requireSomethingWritten(String stage, String input, StageManifest m, java.nio.file.Path output) {
    if (m.getWritten() == 0) {
      throw new UserInputException(input, stage + " wrote nothing: all " + m.getRead()
          + " records read were rejected (" + m.getRejected() + " rejects; reasons in " + output.resolve(StageLayout.REJECTS) + ")");
    }
  }

  /** A stage shard's records; a record that does not parse is an error naming the shard and its position. */
  public static <T extends com.google.protobuf.Message> List<T> readShard(Path file, com.google.protobuf.Parser<T> parser) throws IOException {
    try {
      return dev.facebeam.io.StageFiles.readFramed(file, parser);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new UserInputException(file.toString(), "corrupt stage shard: " + e.getMessage(), e);
    }
  }
}
