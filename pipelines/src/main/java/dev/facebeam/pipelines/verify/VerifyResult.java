package dev.facebeam.pipelines.verify;

import dev.facebeam.metrics.RocCurve;
import dev.facebeam.metrics.VerificationProtocol;
import java.util.Locale;

/**
 * What verify measured on one target: InsightFace's protocol on the flip-fused embeddings and on the
 * originals alone (null without raw vectors), XNorm, and the exact ROC over every pair.
 */
public record VerifyResult(String target, int pairs, double xnorm, VerificationProtocol.Result flip,
    VerificationProtocol.Result plain, RocCurve roc, long positives, long negatives) {

  /** The console's lines, in InsightFace's log style. */
  public String summary() {
    return logLines().stripTrailing();
  }

  /** The report in InsightFace's log style: [target]XNorm, Accuracy, Accuracy-Flip, VAL@FAR. */
  public String logLines() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "[%s]XNorm: %f%n", target, xnorm));
    if (plain != null) {
      sb.append(String.format(Locale.ROOT, "[%s]Accuracy: %1.5f+-%1.5f%n", target, plain.accuracy(), plain.accuracyStd()));
    }
    if (flip != null) {
      sb.append(String.format(Locale.ROOT, "[%s]Accuracy-Flip: %1.5f+-%1.5f%n", target, flip.accuracy(), flip.accuracyStd()));
    }
    VerificationProtocol.Result main = flip != null ? flip : plain;
    sb.append(String.format(Locale.ROOT, "[%s]VAL@FAR=%s: %s (FAR %s)%n", target, VerificationProtocol.FAR_TARGET,
        Double.isFinite(main.val()) ? String.format(Locale.ROOT, "%1.5f+-%1.5f", main.val(), main.valStd()) : "undefined",
        Double.isFinite(main.far()) ? String.format(Locale.ROOT, "%1.5f", main.far()) : "undefined: a fold has no different-identity pairs"));
    return sb.toString();
  }
}
