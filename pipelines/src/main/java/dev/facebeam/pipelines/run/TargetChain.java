package dev.facebeam.pipelines.run;

import dev.facebeam.UserInputException;
import dev.facebeam.embed.ModelSpec;
import dev.facebeam.ijb.IjbMode;
import dev.facebeam.io.Digests;
import dev.facebeam.pipelines.embed.EmbedPipeline;
import dev.facebeam.pipelines.embed.ModelParams;
import dev.facebeam.pipelines.ijb.IjbJob;
import dev.facebeam.pipelines.ijb.IjbParams;
import dev.facebeam.pipelines.ijb.IjbReport;
import dev.facebeam.pipelines.ingest.IngestPipeline;
import dev.facebeam.pipelines.megaface.MegaFaceJob;
import dev.facebeam.pipelines.megaface.MegaFaceOptions;
import dev.facebeam.pipelines.megaface.MegaFaceParams;
import dev.facebeam.pipelines.megaface.MegaFaceReport;
import dev.facebeam.pipelines.verify.VerifyJob;
import dev.facebeam.pipelines.verify.VerifyParams;
import dev.facebeam.pipelines.verify.VerifyReport;
import dev.facebeam.results.ResultRecord;
import dev.facebeam.results.ResultsStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * A target's stages as {@code run} and {@code evaluate} both chain them — ingest → embed → verify,
 * megaface or ijb — so the two cannot drift: each stage gets its own parameters and folder, and
 * {@code runner} only says where the pipelines run.
 */
public final class TargetChain {
  private TargetChain() {}

  /** Where a chain's outputs go: {@code run}'s {@code <work>/<stage>/<target>}, {@code evaluate}'s {@code <output>/<target>/<stage>}. */
  public interface Layout {
    Path folder(StageName stage, String target);
  }

  /**
   * What every target of one run shares: the runner, the model and how it runs, the model's
   * fingerprint (what embed's output depends on besides its records) and the folder layout.
   */
  public record Context(PipelineOptions runner, Path model, ModelParams settings, String modelFingerprint, Layout layout) {
    public Context(PipelineOptions runner, Path model, ModelParams settings, ModelSpec spec, Layout layout) {
      this(runner, model, settings, Digests.sha256(spec.sha256(), spec.preprocessing().describe(), "flip=" + settings.flip(),
          "engine=" + spec.engine()), layout);
    }
  }

  /** A verification pack: {@code <target>.bin} → ingest → embed → verify. */
  public static List<Stage> verification(Context c, String target, Path bin) {
    Stage embed = embedded(c, target, bin, "bin", () -> contentHash(bin));
    Path out = c.layout().folder(StageName.VERIFY, target);
    return List.of(embed.upstream(), embed, embed.scoredBy(StageName.VERIFY, out, List.of("target=" + target),
        () -> VerifyJob.run(new VerifyParams(embed.folder(), out, target), c.runner()), VerifyReport::record));
  }

  /** A MegaFace pack folder scored against itself, as {@code run}'s megaface section asks. */
  public static List<Stage> megaface(Context c, Path pack, RunConfig.Megaface mf) {
    String target = "megaface";
    Stage embed = embedded(c, target, pack, "megaface", () -> folderFingerprint(pack));
    Path out = c.layout().folder(StageName.MEGAFACE, target);
    MegaFaceParams params = MegaFaceJob.ofEmbedded(embed.folder(), out, mf.sizes() != null ? mf.sizes() : MegaFaceOptions.SIZES,
        mf.far() != null ? mf.far() : MegaFaceOptions.FAR, mf.topK() != null ? mf.topK() : MegaFaceOptions.TOP_K);
    return List.of(embed.upstream(), embed, embed.scoredBy(StageName.MEGAFACE, out, List.of(mf.text()),
        () -> MegaFaceJob.run(params, c.runner()), MegaFaceReport::record));
  }

  /** An IJB-B or IJB-C testsuite in one mode; its column is named by the suite ({@code ijbb}, {@code ijbc}). */
  public static List<Stage> ijb(Context c, Path root, String suiteTarget, IjbMode mode) {
    String target = suiteTarget.toLowerCase(java.util.Locale.ROOT);
    Stage embed = embedded(c, target, root, "ijb", () -> folderFingerprint(root));
    Path out = c.layout().folder(StageName.IJB, target);
    return List.of(embed.upstream(), embed, embed.scoredBy(StageName.IJB, out, List.of("mode=" + mode, "target=" + suiteTarget),
        () -> IjbJob.run(IjbParams.ofEmbedded(root, embed.folder(), out, mode, suiteTarget), c.runner()), IjbReport::record));
  }

  /** Adds the records of the chains' scoring outputs that were built; returns them, in that order. */
  public static List<ResultRecord> store(ResultsStore store, List<Stage> scored) {
    List<ResultRecord> added = new ArrayList<>();
    for (Stage s : scored) {
      ResultRecord r = s.record();
      if (r != null) {
        store.put(r);
        added.add(r);
      }
    }
    return added;
  }

  private static Stage embedded(Context c, String target, Path input, String format, java.util.function.Supplier<String> identity) {
    Path ingested = c.layout().folder(StageName.INGEST, target);
    Stage ingest = Stage.first(StageName.INGEST, target, ingested, List.of("format=" + format), identity,
        () -> IngestPipeline.run(IngestPipeline.params(input, format, ingested), c.runner()));
    Path out = c.layout().folder(StageName.EMBED, target);
    return ingest.then(StageName.EMBED, out, List.of(c.modelFingerprint()),
        () -> EmbedPipeline.run(EmbedPipeline.params(ingested, c.model(), c.settings(), out), c.runner()));
  }

  private static String contentHash(Path file) {
    try {
      return Digests.sha256(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
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
    return Digests.sha256(parts.toArray(new String[0]));
  }
}
