package dev.facebeam.pipelines.run;

import dev.facebeam.UserInputException;
import dev.facebeam.config.Options;
import dev.facebeam.embed.ModelSpec;
import dev.facebeam.ijb.IjbMode;
import dev.facebeam.ijb.IjbTestsuite;
import dev.facebeam.io.OutputGuard;
import dev.facebeam.pipelines.embed.ModelParams;
import dev.facebeam.pipelines.ijb.IjbOptions;
import dev.facebeam.pipelines.ijb.IjbReport;
import dev.facebeam.pipelines.megaface.MegaFaceReport;
import dev.facebeam.pipelines.results.StoreRecords;
import dev.facebeam.pipelines.stage.StageLayout;
import dev.facebeam.pipelines.stage.StagePaths;
import dev.facebeam.pipelines.verify.VerifyReport;
import dev.facebeam.results.ResultRecord;
import dev.facebeam.results.ResultsStore;
import dev.facebeam.results.Selection;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
  private RunJob() {}

  /** {@code summary}: the report's table and per-target lines, as the console shows them. */
  public record Result(List<RunReport.Row> rows, List<String> ran, List<String> skipped, List<String> missing, Path report, String table) {
    /** The console's lines: the report's table and per-target lines, then what ran and what was skipped. */
    public String summary() {
      return table.stripTrailing() + String.format("%n%nran %d stage outputs, skipped %d unchanged; report: %s (and report.html)",
          ran.size(), skipped.size(), report);
    }
  }

  /** The command line's run: its options made into parameters once. */
  public static Result run(RunOptions o, PrintStream log) {
    java.util.Set<StageName> stages = java.util.EnumSet.noneOf(StageName.class);
    for (String s : Options.list(o.getStages())) {
      stages.add(StageName.parse("--stages", s));
    }
    RunParams params = new RunParams(Path.of(o.getConfig()), Path.of(o.getWorkdir()), stages,
        o.getFrom() == null ? null : StageName.parse("--from", o.getFrom()), o.getForce(), StagePaths.given(o.getResults()),
        Options.list(o.getModels()));
    return run(params, o, log);
  }

  public static Result run(RunParams o, PipelineOptions runner, PrintStream log) {
    Path configFile = o.config();
    RunConfig c = RunConfig.read(configFile);
    Path dataset = Path.of(c.dataset());
    List<String> targets = new ArrayList<>();
    c.targets().forEach(t -> targets.add(OutputGuard.plainName(configFile + ": targets", t)));
    StageSelection selection = new StageSelection(o.stages(), o.from(), o.force());
    Path modelPath = Path.of(c.model());
    Path megafacePack = c.megaface() != null ? Path.of(c.megaface().pack()) : null;
    Path ijbRoot = c.ijb() != null ? Path.of(c.ijb().root()) : null;
    IjbMode ijbMode = c.ijb() == null ? null
        : IjbMode.parse(configFile + ": ijb.mode", c.ijb().mode() != null ? c.ijb().mode() : IjbOptions.MODE);
    boolean demo = Boolean.TRUE.equals(c.demoFallback()) && DemoPack.isShippedDemo(c.dataset(), c.model())
        && (!Files.isDirectory(dataset) || !Files.exists(modelPath));
    if (!demo) {
      requireNamedPaths(configFile, dataset, modelPath, megafacePack, ijbRoot);
    }
    IjbTestsuite ijbSuite = c.ijb() == null ? null : IjbTestsuite.open(ijbRoot, c.ijb().target()); // before any folder is made
    List<Path> inputs = java.util.Arrays.asList(configFile, dataset, modelPath, megafacePack, ijbRoot);
    ResultsStore store = StoreRecords.store(o.results(), o.workdir(), inputs);
    List<String> otherModels = o.models();
    if (!otherModels.isEmpty()) {
      Selection.records(store.records(), otherModels, List.of()); // a typo in --models is an error now, not after the run
    }
    Path work = OutputGuard.claim("--workdir", o.workdir().toString(), "run", inputs);
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
    Path workdir = work;
    TargetChain.Context context = new TargetChain.Context(runner, Path.of(c.model()), settings, spec,
        (stage, target) -> workdir.resolve(stage.toString()).resolve(target));
    RunState state = RunState.load(work);
    Progress progress = new Progress(log, selection, state);
    List<RunReport.Row> rows = new ArrayList<>();
    List<Stage> scored = new ArrayList<>();
    try {
      Files.createDirectories(work);
      for (String target : targets) {
        Path bin = dataset.resolve(target + ".bin");
        if (!Files.isRegularFile(bin)) {
          progress.missing.add(target);
          log.println(target + ": no " + bin + ", skipped");
          continue;
        }
        Stage verify = progress.run(TargetChain.verification(context, target, bin));
        scored.add(verify);
        rows.add(row(target, verify.folder().resolve(StageLayout.REPORT_JSON)));
      }
      Double megafaceRank1 = null;
      if (c.megaface() != null) {
        Stage megaface = progress.run(TargetChain.megaface(context, Path.of(c.megaface().pack()), c.megaface()));
        scored.add(megaface);
        megafaceRank1 = megafaceRank1(megaface.folder().resolve(StageLayout.REPORT_JSON));
      }
      RunReport.IjbColumn ijb = null;
      if (c.ijb() != null) {
        Stage scores = progress.run(TargetChain.ijb(context, ijbRoot, ijbSuite.target(), ijbMode));
        scored.add(scores);
        Path report = scores.folder().resolve(StageLayout.REPORT_JSON);
        ijb = new RunReport.IjbColumn(ijbSuite.target(), scores.target(),
            Files.isRegularFile(report) ? IjbReport.read(report).oneToOne().tarAtFar().get("0.0001") : null);
      }
      List<ResultRecord> shown = new ArrayList<>(TargetChain.store(store, scored));
      java.util.Set<String> mine = new java.util.HashSet<>();
      shown.forEach(r -> mine.add(r.id()));
      if (!otherModels.isEmpty() && !shown.isEmpty()) {
        // the other models on this run's benchmarks: the report compares like with like
        List<String> benchmarks = shown.stream().map(ResultRecord::benchmark).distinct().toList();
        Selection.records(store.records(), otherModels, benchmarks).stream().filter(r -> !mine.contains(r.id())).forEach(shown::add);
      }
      RunReport.Written report = RunReport.write(work, spec, rows, progress.missing, megafaceRank1, ijb, shown, otherModels);
      return new Result(rows, progress.ran, progress.skipped, progress.missing, report.markdown(), report.summary());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A path the user named that is not there is an error naming it, never a silent substitute. */
  private static void requireNamedPaths(Path configFile, Path dataset, Path modelPath, Path megafacePack, Path ijbRoot) {
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

  /** What {@code --stages}, {@code --from} and {@code --force} ask for. */
  private record StageSelection(java.util.Set<StageName> stages, StageName from, boolean force) {
    /** Why a selected stage must be built, or null when run-state says it is current. */
    String why(Stage s, RunState state) {
      if (force) {
        return "forced";
      }
      if (from != null && s.name().compareTo(from) >= 0) {
        return "--from=" + from;
      }
      return state.staleness(s.key(), s.folder(), s.fingerprint());
    }
  }

  /** The stages of this run as they go: skip what is current, build what is stale or asked for. */
  private static final class Progress {
    private final PrintStream log;
    private final StageSelection selection;
    private final RunState state;
    final List<String> ran = new ArrayList<>();
    final List<String> skipped = new ArrayList<>();
    final List<String> missing = new ArrayList<>();

    Progress(PrintStream log, StageSelection selection, RunState state) {
      this.log = log;
      this.selection = selection;
      this.state = state;
    }

    /** Runs one target's chain in order; returns its last (scoring) stage. */
    Stage run(List<Stage> chain) {
      for (Stage s : chain) {
        if (!selection.stages().contains(s.name())) {
          boolean later = chain.stream().anyMatch(t -> selection.stages().contains(t.name()) && t.name().compareTo(s.name()) > 0);
          if (later && !s.built()) {
            throw new UserInputException(s.folder().toString(), "stage " + s.name() + " of " + s.target() + " has no output yet: add it to --stages");
          }
          continue;
        }
        // Only a selected stage is checked: checking hashes every output file.
        String why = selection.why(s, state);
        if (why == null) {
          log.println(s.key() + ": inputs and parameters unchanged, skipped");
          skipped.add(s.key());
          continue;
        }
        log.println(s.key() + ": running (" + why + ")");
        s.build();
        state.record(s.key(), s.folder(), s.fingerprint());
        ran.add(s.key());
      }
      return chain.get(chain.size() - 1);
    }
  }

  private static Double megafaceRank1(Path reportJson) {
    if (!Files.isRegularFile(reportJson)) {
      return null;
    }
    return MegaFaceReport.read(reportJson).largestRank1();
  }

  private static RunReport.Row row(String target, Path reportJson) {
    if (!Files.isRegularFile(reportJson)) {
      return new RunReport.Row(target, null, null, null);
    }
    VerifyReport r = VerifyReport.read(reportJson);
    return new RunReport.Row(target, r.accuracyFlip(), r.accuracyFlipStd(), r.accuracy());
  }


}
