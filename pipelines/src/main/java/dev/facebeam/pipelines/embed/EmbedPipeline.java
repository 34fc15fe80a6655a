package dev.facebeam.pipelines.embed;

import dev.facebeam.UserInputException;
import dev.facebeam.codec.export.DevkitFeature;
import dev.facebeam.codec.export.NpyWriter;
import dev.facebeam.config.Options;
import dev.facebeam.embed.DeviceSpec;
import dev.facebeam.embed.FaceModel;
import dev.facebeam.embed.ModelSpec;
import dev.facebeam.io.Digests;
import dev.facebeam.io.OutputGuard;
import dev.facebeam.io.Progress;
import dev.facebeam.io.StageFiles;
import dev.facebeam.io.StageOutput;
import dev.facebeam.pipelines.stage.EngineSlots;
import dev.facebeam.pipelines.stage.ClusterProgress;
import dev.facebeam.pipelines.stage.StageLayout;
import dev.facebeam.pipelines.stage.StagePaths;
import dev.facebeam.pipelines.stage.Stages;
import dev.facebeam.proto.Embedding;
import dev.facebeam.proto.FaceRecord;
import dev.facebeam.proto.Reject;
import dev.facebeam.proto.Role;
import dev.facebeam.proto.StageManifest;
import dev.facebeam.proto.VerificationPair;
import dev.facebeam.transforms.EmbedFaces;
import dev.facebeam.transforms.FaceTags;
import dev.facebeam.transforms.ReadStageShards;
import dev.facebeam.transforms.WriteRejects;
import dev.facebeam.transforms.WriteShards;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PDone;

/**
 * The embed stage: ingested face records → flip-fused embeddings (docs/verification.md, docs/megaface.md, docs/decisions.md),
 * sharded, with rejects and a manifest that records the model's hash and the preprocessing; and on
 * request NumPy arrays and MegaFace devkit feature files.
 */
public final class EmbedPipeline extends PTransform<PBegin, PDone> {
    /** The stage's name in the Beam graph and its step that embeds. */
  public static final String NAME = "Embed";
  static final String EMBED = "EmbedFaces";
  /** The full name of the step whose input the cluster progress line counts (tested against the graph). */
  public static final String PROGRESS_STEP = NAME + "/" + EMBED + "/" + EmbedFaces.EMBED;

  /** Every model setting at its default: the descriptor decides, flip on, 64 per batch, CPU. */
  public static final ModelParams DEFAULT_SETTINGS = new ModelParams(ModelOptions.ENGINE, true, ModelOptions.BATCH_SIZE,
      ModelOptions.DEVICE, null, null, null, null);

  private final List<String> shardFiles;
  private final ModelSpec spec;
  private final ModelParams settings;
  private final String workDir;
  private final int shards;
  private final boolean keepRaw;
  private final int threadsPerSlot;

  public EmbedPipeline(List<String> shardFiles, ModelSpec spec, ModelParams settings, String workDir, int shards, boolean keepRaw,
      int threadsPerSlot) {
    this.keepRaw = keepRaw;
    this.threadsPerSlot = threadsPerSlot;
    this.shardFiles = shardFiles;
    this.spec = spec;
    this.settings = settings;
    this.workDir = workDir;
    this.shards = shards;
  }

  /** What an embed run produced. */
  public record Result(Path output, StageManifest manifest) {
    /** The console's line: the model, what was read, written and rejected, where, and the manifest's warnings. */
    public String summary() {
      StageManifest m = manifest;
      return String.format("embed %s with %s (%s-d, %s): read %d, written %d, rejected %d -> %s", m.getFormat(),
          m.getParametersOrDefault("model_name", "?"), m.getParametersOrDefault("embedding_size", "?"),
          m.getParametersOrDefault("engine", "?"), m.getRead(), m.getWritten(), m.getRejected(), output) + Stages.warnings(m);
    }
  }

  @Override
  public PDone expand(PBegin begin) {
    PCollection<FaceRecord> faces = begin.apply("ReadRecords", ReadStageShards.of(shardFiles, FaceRecord.class));
    PCollectionTuple embedded = faces.apply(EMBED, new EmbedFaces(spec, settings.device(),
        settings.batchSize(), settings.flip(), keepRaw, threadsPerSlot));
    PCollection<Embedding> embeddings = embedded.get(EmbedFaces.EMBEDDINGS);
    PCollection<WriteShards.Written> written = embeddings.apply("WriteEmbeddings",
        WriteShards.of(workDir, shards, Embedding.class, Embedding::getId));
    PCollection<Reject> rejects = embedded.get(FaceTags.REJECTS);
    rejects.apply("WriteRejects", new WriteRejects(workDir + "/" + StageLayout.REJECTS));
    Stages.write(List.of(
        // counted from the files, not from `faces`: a second reader of `faces` would make Flink hold them all first
        Stages.line(begin.apply("CountRead", ReadStageShards.countRecords(shardFiles)), "read"),
        Stages.written(written, "written"), // counted by the writer: the embeddings' one reader
        Stages.count(rejects, "rejected")), workDir);
    return PDone.in(begin.getPipeline());
  }

  /** The command line's embed: its options made into parameters once. */
  public static Result run(EmbedOptions o) {
    return run(new EmbedParams(Path.of(o.getRecords()), Path.of(o.getModel()), Path.of(o.getOutput()), settings(o), o.getExportNpy(),
        StagePaths.given(o.getExportDevkit()), o.getAlgo(), o.getEmbeddingsPerShard()), o);
  }

  /** How the command line says to run the model (embed's and evaluate's options). */
  public static ModelParams settings(ModelOptions o) {
    return new ModelParams(o.getEngine(), o.getFlip(), o.getBatchSize(), o.getDevice(), o.getMean(), o.getScale(),
        o.getChannelOrder(), o.getInputSize());
  }

  /** An ingest output embedded by a model into an output folder, nothing exported, as {@code run} and {@code evaluate} chain it. */
  public static EmbedParams params(Path records, Path model, ModelParams settings, Path output) {
    return new EmbedParams(records, model, output, settings, false, null, EmbedOptions.ALGO, EmbedOptions.EMBEDDINGS_PER_SHARD);
  }

  /** Embeds an ingest output on {@code runner} and commits the output; throws with a clear message on failure. */
  public static Result run(EmbedParams params, PipelineOptions runner) {
    ModelParams settings = params.settings();
    Path records = params.records();
    Options.number("--batchSize", Integer.toString(settings.batchSize()), 1, 4096);
    Options.number("--embeddingsPerShard", Integer.toString(params.embeddingsPerShard()), 1, 10_000_000);
    Path target = OutputGuard.folder("--output", params.output().toString(), "embed", List.of(records, params.model()));
    List<Path> exportInputs = List.of(records, params.model(), target);
    if (params.exportDevkit() != null) {
      OutputGuard.folder("--exportDevkit", params.exportDevkit().toString(), "devkit-export", exportInputs);
    }
    StageManifest input = StageOutput.requireIntact(records);
    List<String> shardFiles = new ArrayList<>();
    for (String s : input.getShardsList()) {
      Path p = records.resolve(s);
      if (!Files.isRegularFile(p)) {
        throw new UserInputException(p.toString(), "shard named by the manifest is missing");
      }
      shardFiles.add(p.toAbsolutePath().toString());
    }
    ModelSpec spec = ModelSpec.resolve(StagePaths.local(params.model()), settings.overrides());
    DeviceSpec device = DeviceSpec.parse(settings.device());
    int embeddingSize;
    int fixedBatch;
    String form;
    // Load once here: a wrong model, a wrong descriptor or a missing GPU fails before the pipeline starts.
    try (FaceModel probe = FaceModel.load(spec, device.pick(spec.engine()))) {
      embeddingSize = probe.embeddingSize();
      fixedBatch = probe.fixedBatch();
      form = probe.form();
    }
    int shards = WriteShards.shardsFor(input.getWritten(), params.embeddingsPerShard());
    EngineSlots slots = EngineSlots.of(runner);
    if (params.exportDevkit() != null) {
      OutputGuard.claim("--exportDevkit", params.exportDevkit().toString(), "devkit-export", exportInputs);
    }
    StageManifest manifest = Stages.commit(target, "embed", out -> {
      try (Progress progress = Progress.show("embed", input.getWritten(),
          // records out: one embedding or reject per face (its records in are the read tasks chained into it)
          ClusterProgress.forStage(runner, Stages.jobName(NAME, out.target()), PROGRESS_STEP,
              ClusterProgress.Count.OUT))) {
        Stages.runToCompletion(runner, new EmbedPipeline(shardFiles, spec, settings, out.work().toString(), shards,
            keepRaw(params, input), slots.threads()), NAME, out.target());
      }
      Map<String, Long> counts = Stages.read(out.work());
      long read = counts.getOrDefault("read", 0L);
      long written = counts.getOrDefault("written", 0L);
      long rejected = counts.getOrDefault("rejected", 0L);
      StageManifest.Builder m = Stages.manifest("embed", params.records().toString(), read, written, rejected, runner)
          .setFormat(input.getFormat())
          .setIdentities(input.getIdentities())
          .setDeclaredIdentities(input.getDeclaredIdentities())
          .setPairs(input.getPairs())
          .setPositivePairs(input.getPositivePairs());
      m.putParameters("model", spec.modelPath());
      m.putParameters("model_name", spec.name());
      m.putParameters("model_sha256", spec.sha256());
      m.putParameters("engine", spec.engine());
      if (spec.isDjlNative()) {
        m.putParameters("block", spec.block());
      }
      m.putParameters("preprocessing", spec.preprocessing().describe());
      m.putParameters("flip", Boolean.toString(settings.flip()));
      m.putParameters("fusion", settings.flip() ? "sum of original and mirrored, L2-normalised" : "original, L2-normalised");
      m.putParameters("embedding_size", Integer.toString(embeddingSize));
      m.putParameters("model_form", form);
      m.putParameters("batch_size", Integer.toString(fixedBatch > 0 ? fixedBatch : settings.batchSize()));
      m.putParameters("fixed_batch", Integer.toString(fixedBatch));
      m.putParameters("device", device.toString());
      m.putParameters("slots", slots.slots() > 0 ? Integer.toString(slots.slots()) : "the runner's default");
      m.putParameters("threads_per_slot", slots.described());
      m.addInputs(Digests.of(records.resolve(StageOutput.MANIFEST), records.resolve(StageOutput.MANIFEST).toString(), Long.MAX_VALUE));
      Path pairs = records.resolve(StageLayout.PAIRS);
      if (Files.exists(pairs)) {
        Files.copy(pairs, out.work().resolve(StageLayout.PAIRS), StandardCopyOption.REPLACE_EXISTING);
      }
      Stages.complete(out.work(), shards, StageLayout.REJECTS, m);
      if (params.exportNpy() || params.exportDevkit() != null) {
        List<Embedding> all = readAll(out.work(), m.getShardsList());
        if (params.exportNpy()) {
          exportNpy(out.work(), all, embeddingSize, settings.flip(), pairs);
        }
        if (params.exportDevkit() != null) {
          exportDevkit(params.exportDevkit(), all, params.algo());
          m.putParameters("devkit_export", params.exportDevkit().toString());
        }
      }
      return m;
    });
    Stages.requireSomethingWritten("embed", records.toString(), manifest, target);
    return new Result(target, manifest);
  }

  /**
   * Raw (unfused) vectors are kept for NumPy exports, for verification packs, whose report
   * includes the accuracy of the original images alone, and for IJB testsuites, whose modes
   * combine the two views themselves; MegaFace-sized sets skip them.
   */
  static boolean keepRaw(EmbedParams params, StageManifest input) {
    return params.exportNpy() || input.getPairs() > 0 || input.getFormat().equals("ijb"); // ijb's modes need both views
  }

  /** All embeddings in id order (for a .bin pack: the pack's image order). */
  static List<Embedding> readAll(Path dir, List<String> shards) throws IOException {
    List<Embedding> all = new ArrayList<>();
    for (String s : shards) {
      all.addAll(StageFiles.readFramed(dir.resolve(s), Embedding.parser()));
    }
    all.sort(Comparator.comparing(Embedding::getId));
    return all;
  }

  static void exportNpy(Path dir, List<Embedding> all, int d, boolean flip, Path pairs) throws IOException {
    int n = all.size();
    try (NpyWriter w = new NpyWriter(dir.resolve("embeddings.npy"), n, d)) {
      for (Embedding e : all) {
        w.write(e.getVectorList());
      }
    }
    try (NpyWriter w = new NpyWriter(dir.resolve("raw.npy"), flip ? 2 : 1, n, d)) {
      for (Embedding e : all) {
        w.write(e.getRawOriginalList());
      }
      if (flip) {
        for (Embedding e : all) {
          w.write(e.getRawFlippedList());
        }
      }
    }
    try (BufferedWriter ids = Files.newBufferedWriter(dir.resolve("ids.txt"), StandardCharsets.UTF_8);
         BufferedWriter labels = Files.newBufferedWriter(dir.resolve("labels.txt"), StandardCharsets.UTF_8)) {
      for (Embedding e : all) {
        ids.write(e.getId() + "\n");
        labels.write(e.getLabel() + "\n");
      }
    }
    if (Files.exists(pairs)) {
      try (BufferedWriter w = Files.newBufferedWriter(dir.resolve("issame.txt"), StandardCharsets.UTF_8)) {
        for (VerificationPair p : StageFiles.readFramed(pairs, VerificationPair.parser())) {
          w.write(p.getIssame() ? "1\n" : "0\n");
        }
      }
    }
  }

  /** gen_megaface.py's layout: facescrub/<person>/<file>_<algo>.bin, megaface/<a1>/<a2>/<file>_<algo>.bin. */
  static void exportDevkit(Path root, List<Embedding> all, String algo) throws IOException {
    for (Embedding e : all) {
      String rel = e.getRelativePath().isEmpty() ? e.getId() : e.getRelativePath();
      String prefix = e.getRole() == Role.PROBE ? "facescrub/" : e.getRole() == Role.DISTRACTOR ? "megaface/" : "";
      Path file = root.resolve(prefix + DevkitFeature.fileName(rel, algo)).normalize();
      if (!file.startsWith(root.normalize())) {
        throw new UserInputException(rel, "record path escapes the devkit export folder");
      }
      DevkitFeature.write(file, e.getVectorList());
    }
  }
}
