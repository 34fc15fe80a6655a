package dev.facebeam.pipelines.run;

import dev.facebeam.io.Digests;
import dev.facebeam.pipelines.stage.StageLayout;
import dev.facebeam.results.ResultRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One stage output of a target's chain: which stage, the folder it goes to, how to build it, and its
 * fingerprint — SHA-256 over the stage's name, its upstream output's fingerprint (or, for the first
 * stage, its input's identity) and its settings, so a change anywhere above reruns it and what follows.
 */
public final class Stage {
  private final StageName name;
  private final String target;
  private final Path folder;
  private final Stage upstream;
  private final List<String> settings;
  private final Supplier<String> inputIdentity;
  private final Runnable build;
  private final Function<Path, ResultRecord> record;
  private String fingerprint;

  private Stage(StageName name, String target, Path folder, Stage upstream, List<String> settings, Supplier<String> inputIdentity,
      Runnable build, Function<Path, ResultRecord> record) {
    this.name = name;
    this.target = target;
    this.folder = folder;
    this.upstream = upstream;
    this.settings = settings;
    this.inputIdentity = inputIdentity;
    this.build = build;
    this.record = record;
  }

  /** The first stage of a chain: its input is known by {@code inputIdentity} (a content hash or a folder's listing). */
  static Stage first(StageName name, String target, Path folder, List<String> settings, Supplier<String> inputIdentity, Runnable build) {
    return new Stage(name, target, folder, null, settings, inputIdentity, build, null);
  }

  /** A stage reading {@code this} stage's output. */
  Stage then(StageName next, Path nextFolder, List<String> nextSettings, Runnable nextBuild) {
    return new Stage(next, target, nextFolder, this, nextSettings, null, nextBuild, null);
  }

  /** A scoring stage reading {@code this} stage's output; {@code record} makes its results-store record from its folder. */
  Stage scoredBy(StageName next, Path nextFolder, List<String> nextSettings, Runnable nextBuild, Function<Path, ResultRecord> record) {
    return new Stage(next, target, nextFolder, this, nextSettings, null, nextBuild, record);
  }

  public StageName name() {
    return name;
  }

  public String target() {
    return target;
  }

  public Path folder() {
    return folder;
  }

  /** {@code embed/lfw}: how run's log and run-state.json name this output. */
  /** The stage whose output this one reads (null for the first). */
  public Stage upstream() {
    return upstream;
  }

  public String key() {
    return name + "/" + target;
  }

  /** Builds the output (every setting was fixed when the chain was made). */
  public void build() {
    build.run();
  }

  public boolean built() {
    return Files.isRegularFile(folder.resolve(StageLayout.MANIFEST));
  }

  /** The results-store record of a scoring stage's output, or null for a stage that scores nothing or was not built. */
  public ResultRecord record() {
    return record == null || !built() ? null : record.apply(folder);
  }

  public String fingerprint() {
    if (fingerprint == null) {
      List<String> parts = new ArrayList<>(List.of(name.toString()));
      if (upstream != null) {
        parts.add(upstream.fingerprint());
      }
      parts.addAll(settings);
      if (inputIdentity != null) {
        parts.add(inputIdentity.get());
      }
      fingerprint = Digests.sha256(parts.toArray(new String[0]));
    }
    return fingerprint;
  }
}
