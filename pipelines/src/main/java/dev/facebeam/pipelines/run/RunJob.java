package dev.facebeam.pipelines.run;

import dev.facebeam.pipelines.embed.ModelParams;
import dev.facebeam.pipelines.ijb.IjbJob;
import dev.facebeam.pipelines.ijb.IjbParams;
import dev.facebeam.pipelines.ijb.IjbReport;
import dev.facebeam.pipelines.megaface.MegaFaceJob;
import dev.facebeam.pipelines.megaface.MegaFaceParams;
import dev.facebeam.pipelines.megaface.MegaFaceReport;
import dev.facebeam.pipelines.results.StoreRecords;
import dev.facebeam.pipelines.verify.VerifyReport;
import dev.facebeam.UserInputException;
import dev.facebeam.config.Options;
import dev.facebeam.embed.ModelSpec;
import dev.facebeam.ijb.IjbMode;
import dev.facebeam.ijb.IjbTestsuite;
import dev.facebeam.io.Digests;
import dev.facebeam.io.OutputGuard;
import dev.facebeam.results.ResultRecord;
import dev.facebeam.results.ResultsStore;
import dev.facebeam.results.Selection;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * {@code run}: an evaluation described by a config (dataset folder, targets, model, preprocessing),
 * staged in a work folder as {@code ingest/<target>}, {@code embed/<target>}, {@code verify/<target>}.
 * Every stage output carries a fingerprint of its inputs' content and its parameters; an output whose
 * fingerprint, manifest and files are unchanged is skipped and says so; {@code --from} reruns a
 * stage and what follows it from the persisted outputs before it; a changed model reruns embed and
 * verify only; a new target adds its outputs and touches no other. Ends with report.md / report.html.
 */
public final class RunJob {
  static final List<String> STAGES = List.of("ingest", "embed", "verify", "megaface", "ijb");

  private RunJob() {}

  /** One target's line of the results table. */
  public record Row(String target, Double accuracyFlip, Double accuracyFlipStd, Double accuracy) {}

  /** {@code summary}: the report's table and per-target lines, as the console shows them. */
  public record Result(List<Row> rows, List<String> ran, List<String> skipped, List<String> missing, Path report, String summary) {}

  /** The command line's run: its options made into parameters once. */
  public static Result run(RunOptions options, PrintStream log) {
    return run(RunParams.of(options), options, log);
  }

  public static Result run(RunParams o, PipelineOptions runner, PrintStream log) {
    Path configFile = Path.of(o.config());
    RunConfig c = RunConfig.read(configFile);
    Path dataset = Path.of(c.dataset());
    List<String> targets = new ArrayList<>();
    c.targets().forEach(t -> targets.add(OutputGuard.plainName(configFile + ": targets", t)));
    List<String> stages = new ArrayList<>();
    for (String s : Options.list(o.stages())) {
      if (!STAGES.contains(s)) {
        throw new UserInputException("--stages", "unknown stage '" + s + "' (stages: " + String.join(", ", STAGES) + ")");
      }
      stages.add(s);
    }
    int from = o.from() == null ? Integer.MAX_VALUE : STAGES.indexOf(o.from());
    if (from < 0) {
      throw new UserInputException("--from", "unknown stage '" + o.from() + "' (stages: " + String.join(", ", STAGES) + ")");
    }
    Path modelPath = Path.of(c.model());
    Path megafacePack = c.megaface() != null ? Path.of(c.megaface().pack()) : null;
    Path ijbRoot = c.ijb() != null ? Path.of(c.ijb().root()) : null;
    IjbMode ijbMode = c.ijb() == null ? null
        : IjbMode.parse(configFile + ": ijb.mode", c.ijb().mode() != null ? c.ijb().mode() : IjbParams.MODE);
    boolean demo = Boolean.TRUE.equals(c.demoFallback()) && DemoPack.isShippedDemo(c.dataset(), c.model())
        && (!Files.isDirectory(dataset) || !Files.exists(modelPath));
    if (!demo) {
      // A path the user named that is not there is an error naming it, never a silent substitute.
      if (!Files.isDirectory(dataset)) {
        throw new UserInputException(configFile + ": dataset", "no such folder: " + dataset.toAbsolutePath());
      }
      if (!Files.exists(modelPath)) {
        throw new UserInputException(configFile + ": model", "no such file or folder: " + modelPath.toAbsolutePath());
      }
      if (megafacePack != null && !Files.isDirectory(megafacePack)) {
        throw new UserInputException(configFile + ": megaface.pack", "no such folder: " + megafacePack.toAbsolutePath());
      }
      if (ijbRoot != null && !Files.isDirectory(ijbRoot)) {
        throw new UserInputException(configFile + ": ijb.root", "no such folder: " + ijbRoot.toAbsolutePath());
      }
    }
    IjbTestsuite ijbSuite = c.ijb() == null ? null : IjbTestsuite.open(ijbRoot, c.ijb().target()); // before any folder is made
    ResultsStore store = StoreRecords.store(o.results(), o.workdir(), java.util.Arrays.asList(configFile, dataset, modelPath,
        megafacePack, ijbRoot));
    List<String> otherModels = Options.list(o.models());
    if (!otherModels.isEmpty()) {
      Selection.records(store.records(), otherModels, List.of()); // a typo in --models is an error now, not after the run
    }
    Path work = OutputGuard.claim("--workdir", o.workdir(), "run", java.util.Arrays.asList(configFile, dataset, modelPath, megafacePack, ijbRoot));
    if (demo) {
      // The shipped demo on a machine without ../shared/data: a generated pack and model, said so.
      DemoPack.Generated g = DemoPack.ensure(work.resolve("demo-pack"));
      log.println((Files.isDirectory(dataset) ? modelPath : dataset) + " not found: running the demo on a generated pack instead ("
          + g.dataset().resolve(DemoPack.TARGET + ".bin") + ": synthetic identities, an untrained ir-small; the numbers show the"
          + " pipeline working, not face recognition)");
      dataset = g.dataset();
      targets.clear();
      targets.add(DemoPack.TARGET);
      c = c.withGeneratedModel(g.model());
    }
    ModelParams settings = c.modelParams();
    ModelSpec spec = ModelSpec.resolve(Path.of(c.model()), settings.overrides());
    boolean flip = settings.flip();
    RunState state = RunState.load(work);
    List<String> ran = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    List<Row> rows = new ArrayList<>();
    try {
      Files.createDirectories(work);
      String modelFp = fingerprint(spec.sha256(), spec.preprocessing().describe(), "flip=" + flip, "engine=" + spec.engine());
      for (String target : targets) {
        Path bin = dataset.resolve(target + ".bin");
        if (!Files.isRegularFile(bin)) {
          missing.add(target);
          log.println(target + ": no " + bin + ", skipped");
          continue;
        }
        Map<String, String> fp = new LinkedHashMap<>();
        fp.put("ingest", fingerprint("ingest", "format=bin", Digests.sha256(bin)));
        fp.put("embed", fingerprint("embed", fp.get("ingest"), modelFp));
        fp.put("verify", fingerprint("verify", fp.get("embed"), "target=" + target));
        stagesOf(o, runner, c, settings, target, bin, "bin", fp, stages, from, state, work, log, ran, skipped);
        rows.add(row(target, work.resolve("verify").resolve(target).resolve("report.json")));
      }
      Double megafaceRank1 = null;
      if (c.megaface() != null) {
        RunConfig.Megaface mf = c.megaface();
        Path pack = Path.of(mf.pack());
        Map<String, String> fp = new LinkedHashMap<>();
        fp.put("ingest", fingerprint("ingest", "format=megaface", folderFingerprint(pack)));
        fp.put("embed", fingerprint("embed", fp.get("ingest"), modelFp));
        fp.put("megaface", fingerprint("megaface", fp.get("embed"), mf.text()));
        stagesOf(o, runner, c, settings, "megaface", pack, "megaface", fp, stages, from, state, work, log, ran, skipped);
        megafaceRank1 = megafaceRank1(work.resolve("megaface").resolve("megaface").resolve("report.json"));
      }
      RunReport.IjbColumn ijb = null;
      if (c.ijb() != null) {
        IjbTestsuite suite = ijbSuite;
        String target = suite.target().toLowerCase(java.util.Locale.ROOT);
        Map<String, String> fp = new LinkedHashMap<>();
        fp.put("ingest", fingerprint("ingest", "format=ijb", folderFingerprint(ijbRoot)));
        fp.put("embed", fingerprint("embed", fp.get("ingest"), modelFp));
        fp.put("ijb", fingerprint("ijb", fp.get("embed"), "mode=" + ijbMode, "target=" + suite.target()));
        stagesOf(o, runner, c, settings, target, ijbRoot, "ijb", fp, stages, from, state, work, log, ran, skipped);
        Path report = work.resolve("ijb").resolve(target).resolve(IjbReport.FILE);
        ijb = new RunReport.IjbColumn(suite.target(), target,
            Files.isRegularFile(report) ? IjbReport.read(report).oneToOne().tarAtFar().get("0.0001") : null);
      }
      List<Path> scored = new ArrayList<>();
      rows.forEach(r -> scored.add(work.resolve("verify").resolve(r.target())));
      if (c.megaface() != null) {
        scored.add(work.resolve("megaface").resolve("megaface"));
      }
      if (ijb != null) {
        scored.add(work.resolve("ijb").resolve(ijb.folder()));
      }
      List<ResultRecord> shown = new ArrayList<>(StoreRecords.addAll(store, scored));
      java.util.Set<String> mine = new java.util.HashSet<>();
      shown.forEach(r -> mine.add(r.id()));
      if (!otherModels.isEmpty() && !shown.isEmpty()) {
        // the other models on this run's benchmarks: the report compares like with like
        List<String> benchmarks = shown.stream().map(ResultRecord::benchmark).distinct().toList();
        Selection.records(store.records(), otherModels, benchmarks).stream().filter(r -> !mine.contains(r.id())).forEach(shown::add);
      }
      RunReport.Written report = RunReport.write(work, spec, rows, missing, megafaceRank1, ijb, shown, otherModels);
      return new Result(rows, ran, skipped, missing, report.markdown(), report.summary());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The stages of one target in order: skip what is current, run what is stale or asked for. */
  private static void stagesOf(RunParams o, PipelineOptions runner, RunConfig c, ModelParams settings, String target, Path input, String format, Map<String, String> fp,
      List<String> stages, int from, RunState state, Path work, PrintStream log, List<String> ran, List<String> skipped) {
    List<String> own = new ArrayList<>(fp.keySet());
    for (String stage : own) {
      String key = stage + "/" + target;
      Path dir = work.resolve(stage).resolve(target);
      int index = STAGES.indexOf(stage);
      if (!stages.contains(stage)) {
        boolean later = own.stream().anyMatch(s -> stages.contains(s) && STAGES.indexOf(s) > index);
        if (later && !Files.isRegularFile(dir.resolve(dev.facebeam.io.StageOutput.MANIFEST))) {
          throw new UserInputException(dir.toString(), "stage " + stage + " of " + target + " has no output yet: add it to --stages");
        }
        continue;
      }
      // Only a selected stage is checked: checking hashes every output file.
      String why = o.force() ? "forced" : index >= from ? "--from=" + o.from() : state.staleness(key, dir, fp.get(stage));
      if (why == null) {
        log.println(key + ": inputs and parameters unchanged, skipped");
        skipped.add(key);
        continue;
      }
      log.println(key + ": running (" + why + ")");
      runStage(runner, stage, target, input, format, work, c, settings);
      state.record(key, dir, fp.get(stage));
      ran.add(key);
    }
  }

  /**
   * A folder pack's fingerprint: every file's relative path, size and modification time (hashing the
   * content of a million images at every run would cost more than the run saves).
   */
  static String folderFingerprint(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new UserInputException(dir.toString(), "no such MegaFace pack folder");
    }
    List<String> parts = new ArrayList<>();
    try (var s = Files.walk(dir)) {
      for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
        parts.add(dir.relativize(f) + ":" + Files.size(f) + ":" + Files.getLastModifiedTime(f).toMillis());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return fingerprint(parts.toArray(new String[0]));
  }

  private static Double megafaceRank1(Path reportJson) {
    if (!Files.isRegularFile(reportJson)) {
      return null;
    }
    return MegaFaceReport.read(reportJson).largestRank1();
  }

  private static void runStage(PipelineOptions runner, String stage, String target, Path input, String format, Path work,
      RunConfig c, ModelParams settings) {
    Path in = work.resolve("ingest").resolve(target);
    Path emb = work.resolve("embed").resolve(target);
    switch (stage) {
      case "ingest" -> TargetStages.ingest(runner, input, format, in);
      case "embed" -> TargetStages.embed(runner, in, c.model(), settings, emb);
      case "megaface" -> {
        RunConfig.Megaface mf = c.megaface();
        MegaFaceJob.run(MegaFaceParams.ofEmbedded(emb, work.resolve("megaface").resolve(target),
            mf.sizes() != null ? mf.sizes() : MegaFaceParams.SIZES, mf.far() != null ? mf.far() : MegaFaceParams.FAR,
            mf.topK() != null ? mf.topK() : MegaFaceParams.TOP_K), runner);
      }
      case "ijb" -> {
        RunConfig.Ijb ijb = c.ijb();
        IjbJob.run(new IjbParams(ijb.root(), emb.toString(), null, false, work.resolve("ijb").resolve(target).toString(),
            ijb.mode() != null ? ijb.mode() : IjbParams.MODE, ijb.target(), null, null, null), runner);
      }
      default -> TargetStages.verify(runner, emb, work.resolve("verify").resolve(target), target);
    }
  }

  private static Row row(String target, Path reportJson) {
    if (!Files.isRegularFile(reportJson)) {
      return new Row(target, null, null, null);
    }
    VerifyReport r = VerifyReport.read(reportJson);
    return new Row(target, r.accuracyFlip(), r.accuracyFlipStd(), r.accuracy());
  }

  /** SHA-256 over a stage's name, its inputs' fingerprints or hashes, and its parameters. */
  static String fingerprint(String... parts) {
    return Digests.sha256(parts);
  }
}
