package dev.facebeam.pipelines.verify;

import dev.facebeam.UserInputException;
import dev.facebeam.io.OutputGuard;
import dev.facebeam.io.StageFiles;
import dev.facebeam.io.StageOutput;
import dev.facebeam.metrics.RocCurve;
import dev.facebeam.metrics.VerificationProtocol;
import dev.facebeam.metrics.XNorm;
import dev.facebeam.pipelines.figures.Charts;
import dev.facebeam.pipelines.results.StoreRecords;
import dev.facebeam.pipelines.stage.StageLayout;
import dev.facebeam.pipelines.stage.Stages;
import dev.facebeam.proto.Embedding;
import dev.facebeam.proto.StageManifest;
import dev.facebeam.proto.VerificationPair;
import dev.facebeam.results.ResultsStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * The verify stage: an embedded verification pack → InsightFace's 10-fold report (docs/verification.md, docs/decisions.md).
 * A pack holds thousands of pairs, so this runs in the driver JVM; the heavy work was the embedding.
 */
public final class VerifyJob {
  private VerifyJob() {}

  /** The command line's verify: its options made into parameters once. */
  public static VerifyResult run(VerifyOptions options) {
    VerifyParams params = new VerifyParams(Path.of(options.getEmbeddings()), Path.of(options.getOutput()), options.getTarget());
    ResultsStore store = StoreRecords.store(options, params.output(), List.of(params.embeddings()));
    VerifyResult r = run(params, options);
    store.put(VerifyReport.record(params.output()));
    return r;
  }

  /** Scores an embed output and commits the report; {@code runner} is only recorded in the manifest. */
  public static VerifyResult run(VerifyParams params, PipelineOptions runner) {
    Path dir = params.embeddings();
    OutputGuard.folder("--output", params.output().toString(), "verify", List.of(dir));
    StageManifest m = StageOutput.requireIntact(dir);
    if (!m.getStage().equals("embed")) {
      throw new UserInputException(dir.toString(), "is the output of '" + m.getStage() + "', not of embed");
    }
    Path pairsFile = dir.resolve(StageLayout.PAIRS);
    if (!Files.isRegularFile(pairsFile)) {
      throw new UserInputException(dir.toString(), "embeddings without pair information (no pairs.pb): verify needs an embedded .bin pack");
    }
    try {
      List<VerificationPair> pairs = StageFiles.readFramed(pairsFile, VerificationPair.parser());
      if (pairs.size() != m.getPairs()) {
        throw new UserInputException(pairsFile.toString(), "holds " + pairs.size() + " pairs but the manifest says " + m.getPairs());
      }
      Map<String, Embedding> byId = new HashMap<>();
      for (String shard : m.getShardsList()) {
        for (Embedding e : Stages.readShard(dir.resolve(shard), Embedding.parser())) {
          byId.put(e.getId(), e);
        }
      }
      boolean flip = Boolean.parseBoolean(m.getParametersOrDefault("flip", "true"));
      String target = params.target() != null ? params.target() : targetName(m);
      VerifyResult report = score(target, pairs, byId, flip, pairsFile);
      write(report, m, params, runner);
      return report;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot verify " + dir + ": " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new UserInputException(dir.toString(), e.getMessage(), e);
    }
  }

  /** The protocol over an embed output's records: Accuracy-Flip, plain Accuracy (raw originals) and XNorm. */
  public static VerifyResult score(String target, List<VerificationPair> pairs, Map<String, Embedding> byId, boolean flip, Path pairsFile) {
    int n = pairs.size();
    float[] distFlip = new float[n];
    float[] distPlain = new float[n];
    boolean[] issame = new boolean[n];
    XNorm xnorm = new XNorm();
    boolean haveRaw = true;
    for (int i = 0; i < n; i++) {
      VerificationPair p = pairs.get(i);
      Embedding a = need(byId, p.getFirstId(), i, pairsFile);
      Embedding b = need(byId, p.getSecondId(), i, pairsFile);
      issame[i] = p.getIssame();
      distFlip[i] = VerificationProtocol.squaredDistance(vector(a, i), vector(b, i));
      haveRaw &= a.getRawOriginalCount() > 0 && b.getRawOriginalCount() > 0;
      if (haveRaw) {
        distPlain[i] = VerificationProtocol.squaredDistance(unit(a.getRawOriginalList()), unit(b.getRawOriginalList()));
      }
      for (Embedding e : new Embedding[] {a, b}) {
        xnorm.add(e.getNormOriginal(), flip, e.getNormFlipped());
      }
    }
    VerificationProtocol.Result fused = VerificationProtocol.evaluate(distFlip, issame);
    VerificationProtocol.Result plain = !flip ? fused : haveRaw ? VerificationProtocol.evaluate(distPlain, issame) : null;
    // The exact ROC over every pair (one vertex per distinct distance), for TAR at the standard FARs
    // and the log-FAR plot; the protocol's own numbers above use its 400 thresholds (docs/results.md).
    double[] scores = new double[n];
    byte[] labels = new byte[n];
    long positives = 0;
    for (int i = 0; i < n; i++) {
      scores[i] = -distFlip[i];
      labels[i] = (byte) (issame[i] ? 1 : 0);
      positives += labels[i];
    }
    return new VerifyResult(target, n, xnorm.mean(), flip ? fused : null, plain, RocCurve.of(scores, labels), positives, n - positives);
  }

  private static Embedding need(Map<String, Embedding> byId, String id, int pair, Path pairs) {
    Embedding e = byId.get(id);
    if (e == null) {
      throw new UserInputException(pairs + "#pair=" + pair, "names image " + id + ", which has no embedding (rejected at ingest or embed)");
    }
    return e;
  }

  private static float[] vector(Embedding e, int pair) {
    float[] v = new float[e.getVectorCount()];
    for (int i = 0; i < v.length; i++) {
      v[i] = e.getVector(i);
    }
    return v;
  }

  /** Row-wise L2 normalisation as sklearn's normalize does it for float32 (norm in float32, then divide). */
  static float[] unit(List<Float> raw) {
    float sum = 0f;
    for (float f : raw) {
      sum += f * f;
    }
    float norm = (float) Math.sqrt(sum);
    float[] v = new float[raw.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = norm == 0f ? raw.get(i) : raw.get(i) / norm;
    }
    return v;
  }

  /** The pack's name: lfw.bin → lfw, found through the embed and ingest manifests. */
  static String targetName(StageManifest embed) {
    try {
      StageManifest ingest = StageOutput.readManifest(Path.of(embed.getInput()));
      String file = Path.of(ingest.getInput()).getFileName().toString();
      return file.endsWith(".bin") ? file.substring(0, file.length() - 4) : file;
    } catch (IOException | RuntimeException e) {
      return Path.of(embed.getInput()).getFileName().toString();
    }
  }

  private static void write(VerifyResult r, StageManifest embed, VerifyParams params, PipelineOptions runner) throws IOException {
    Stages.commit(params.output(), "verify", out -> {
      VerifyReport.of(r, embed).write(out.work());
      Files.writeString(out.work().resolve(StageLayout.REPORT_MD), markdown(r, embed), StandardCharsets.UTF_8);
      roc(r, out.work().resolve("roc"));
      StageManifest.Builder m = Stages.manifest("verify", params.embeddings().toString(), r.pairs(), r.pairs(), 0, runner)
          .setFormat(embed.getFormat())
          .setPairs(r.pairs())
          .putParameters("target", r.target());
      Stages.describeModel(embed, m);
      return m;
    });
  }

  static String markdown(VerifyResult r, StageManifest embed) {
    StringBuilder sb = new StringBuilder();
    sb.append("# Verification: ").append(r.target()).append("\n\n");
    sb.append("Model `").append(embed.getParametersOrDefault("model_name", "?")).append("` (sha256 ")
        .append(embed.getParametersOrDefault("model_sha256", "?")).append("), ").append(r.pairs()).append(" pairs, 10 folds.\n\n");
    sb.append("```\n").append(r.logLines());
    VerificationProtocol.Result main = r.flip() != null ? r.flip() : r.plain();
    sb.append("```\n\nBest threshold per fold: ");
    for (int k = 0; k < main.bestThresholds().length; k++) {
      sb.append(k == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", main.bestThresholds()[k]));
    }
    sb.append("\n");
    return sb.toString();
  }

  /** The stage's own ROC: every vertex of the exact curve on a log FAR axis, or a note where the pack has no different-identity pairs. */
  static void roc(VerifyResult r, Path base) throws IOException {
    String label = r.target() + (r.flip() != null ? " (Accuracy-Flip embeddings)" : "");
    String note = r.negatives() == 0 ? "No ROC: the pack's " + r.pairs() + " pairs are all same-identity"
        : r.positives() == 0 ? "No ROC: the pack's " + r.pairs() + " pairs are all different-identity" : null;
    Charts.roc("ROC: " + r.target(), note == null ? List.of(Charts.vertices(label, r.roc())) : List.of(), note, base);
  }
}
