package dev.facebeam.pipelines.ingest;

import dev.facebeam.codec.pack.BinPack;
import dev.facebeam.codec.pack.FacePack;
import dev.facebeam.codec.pack.PackSummary;
import dev.facebeam.config.Options;
import dev.facebeam.io.Digests;
import dev.facebeam.io.OutputGuard;
import dev.facebeam.io.Progress;
import dev.facebeam.io.StageFiles;
import dev.facebeam.packs.PackOpener;
import dev.facebeam.pipelines.stage.ClusterProgress;
import dev.facebeam.pipelines.stage.StageLayout;
import dev.facebeam.pipelines.stage.StagePaths;
import dev.facebeam.pipelines.stage.Stages;
import dev.facebeam.proto.StageManifest;
import dev.facebeam.transforms.FaceOutcome;
import dev.facebeam.transforms.FaceTags;
import dev.facebeam.transforms.PackShardSource;
import dev.facebeam.transforms.WriteRejects;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PDone;

/**
 * The ingest stage: a pack → aligned 112×112 face records, sharded, with rejects and a manifest.
 * The pack is opened (and its structure checked) on the driver; reading, decoding and aligning run
 * on the workers; counts are computed in the pipeline and reconciled before the output is committed.
 */
public final class IngestPipeline extends PTransform<PBegin, PDone> {
    /** The stage's name in the Beam graph and its step that reads and aligns. */
  public static final String NAME = "Ingest";
  /** The step that reads the pack into shards: it sends one outcome per face. */
  static final String SHARDS = "AlignIntoShards";
  /** The full name of the step whose faces read the cluster progress line counts (tested against the graph). */
  public static final String PROGRESS_STEP = NAME + "/" + SHARDS;
    private static final long HASH_INPUTS_UP_TO = 1L << 30;

  private final PackShardSource source;
  private final String workDir;

  /** {@code exportImages}: a folder for a PNG of every aligned face, or null. */
  public IngestPipeline(FacePack pack, String workDir, String exportImages) {
    this.source = PackShardSource.of(pack, workDir, exportImages);
    this.workDir = workDir;
  }

  /** What an ingest run produced. */
  public record Result(Path output, StageManifest manifest) {
    /** The console's line: what was read, written and rejected, where, and the manifest's warnings. */
    public String summary() {
      StageManifest m = manifest;
      return String.format("ingest %s: read %d, written %d, rejected %d, identities %d%s -> %s", m.getFormat(), m.getRead(),
          m.getWritten(), m.getRejected(), m.getIdentities(), m.getPairs() > 0 ? ", pairs " + m.getPairs() : "", output)
          + Stages.warnings(m);
    }
  }

  @Override
  public PDone expand(PBegin begin) {
    // Each task reads, aligns and writes its own shard; only a few bytes per face leave it, to be
    // counted (docs/ingest.md: faces through the runner were stored on its disk first).
    PCollection<FaceOutcome> outcomes = begin.apply(SHARDS, Read.from(source));
    PCollectionTuple tally = outcomes.apply("Tally", new IngestTally());
    tally.get(FaceTags.REJECTS).apply("WriteRejects", new WriteRejects(workDir + "/" + StageLayout.REJECTS));
    Stages.write(List.of(tally.get(IngestTally.COUNTS)), workDir);
    return PDone.in(begin.getPipeline());
  }

  /** The command line's ingest: its options made into parameters once. */
  public static Result run(IngestOptions o) {
    return run(new IngestParams(Path.of(o.getInput()), Path.of(o.getOutput()), o.getFormat(), StagePaths.given(o.getExportImages()),
        StagePaths.given(o.getImageRoot()), o.getRecordsPerShard()), o);
  }

  /** A pack of a known format into an output folder, nothing exported, as {@code run} and {@code evaluate} chain it. */
  public static IngestParams params(Path input, String format, Path output) {
    return new IngestParams(input, output, format, null, null, IngestOptions.RECORDS_PER_SHARD);
  }

  /**
   * Opens the pack, runs the stage on {@code runner} and commits its output; throws with a clear
   * message on failure.
   */
  public static Result run(IngestParams params, PipelineOptions runner) {
    Options.number("--recordsPerShard", Integer.toString(params.recordsPerShard()), 1, 10_000_000);
    Path input = StagePaths.local(params.input());
    Path imageRoot = params.imageRoot() == null ? null : StagePaths.local(params.imageRoot());
    Path target = OutputGuard.folder("--output", params.output().toString(), "ingest", Arrays.asList(input, imageRoot));
    List<Path> exportInputs = Arrays.asList(input, imageRoot, target);
    if (params.exportImages() != null) {
      OutputGuard.folder("--exportImages", params.exportImages().toString(), "exported-images", exportInputs);
    }
    FacePack pack = PackOpener.open(input, params.format(), imageRoot, params.recordsPerShard());
    int shards = pack.tasks().size(); // one shard per task (docs/decisions.md)
    if (params.exportImages() != null) {
      OutputGuard.claim("--exportImages", params.exportImages().toString(), "exported-images", exportInputs);
    }
    StageManifest manifest = Stages.commit(target, "ingest", out -> {
      try (Progress progress = Progress.show("ingest", pack.expectedFaces(),
          ClusterProgress.forSourceCounter(runner, Stages.jobName(NAME, out.target()), PROGRESS_STEP,
              PackShardSource.COUNTER_NAMESPACE, PackShardSource.READ))) {
        Stages.runToCompletion(runner, new IngestPipeline(pack, out.work().toString(),
            params.exportImages() == null ? null : StagePaths.local(params.exportImages()).toString()), NAME, out.target());
      }
      return finish(pack, out.work(), shards, params, runner);
    });
    Stages.requireSomethingWritten("ingest", input.toString(), manifest, target);
    return new Result(target, manifest);
  }

  private static StageManifest.Builder finish(FacePack pack, Path work, int shards, IngestParams params, PipelineOptions runner)
      throws IOException {
    Map<String, Long> counts = Stages.read(work);
    long read = counts.getOrDefault("read", 0L);
    long written = counts.getOrDefault("written", 0L);
    long rejected = counts.getOrDefault("rejected", 0L);
    StageManifest.Builder m = Stages.manifest("ingest", params.input().toString(), read, written, rejected, runner)
        .setFormat(pack.format())
        .setIdentities(counts.getOrDefault("identities", 0L));
    PackSummary summary = pack.summary();
    m.setDeclaredIdentities(summary.declaredIdentities())
        .setPairs(summary.pairs())
        .setPositivePairs(summary.positivePairs())
        .putAllParameters(summary.parameters())
        .addAllWarnings(summary.warnings());
    m.putParameters("records_per_shard", Integer.toString(params.recordsPerShard()));
    if (pack instanceof BinPack bin) {
      StageFiles.writeFramed(work.resolve(StageLayout.PAIRS), bin.pairs());
    }
    Stages.complete(work, shards, StageLayout.REJECTS, m);
    for (String f : pack.inputFiles()) {
      Path p = Path.of(f);
      if (Files.isRegularFile(p)) {
        m.addInputs(Digests.of(p, f, HASH_INPUTS_UP_TO));
      }
    }
    return m;
  }
}
