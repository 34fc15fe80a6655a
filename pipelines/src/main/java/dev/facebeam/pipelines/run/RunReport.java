package dev.facebeam.pipelines.run;

import dev.facebeam.embed.ModelSpec;
import dev.facebeam.io.StageFiles;
import dev.facebeam.pipelines.results.ResultsReport;
import dev.facebeam.pipelines.stage.StageLayout;
import dev.facebeam.results.Percent;
import dev.facebeam.results.ResultRecord;
import dev.facebeam.results.TableText;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The end of {@code run}: the seed-style results table, the ROC plots and the protocol decisions used. */
final class RunReport {
  /** The decisions a reader needs to reproduce the numbers (docs/verification.md, docs/decisions.md). */
  static final List<String> DECISIONS = List.of(
      "Verification: 10 contiguous folds (sklearn KFold, shuffle=False); thresholds 0, 0.01, …, 3.99 (np.arange(0, 4, 0.01));"
          + " the first best threshold of the nine training folds, applied to the tenth; a pair is 'same' when its squared"
          + " L2 distance is strictly below it; accuracy = mean ± population std over the folds.",
      "Accuracy-Flip: each image's embedding plus its mirror's, L2-normalised; XNorm: mean raw norm over the original and"
          + " the mirrored images' embeddings (verification.py averages over both passes).",
      "VAL@FAR=1e-3: thresholds 0 … 3.999 in steps of 0.001, interpolated as scipy interp1d(kind='slinear'); reported null"
          + " when a training fold has no different pairs (where Python would divide by zero).",
      "Distances in float32 with numpy's pairwise summation; embeddings from the model's engine in float32.",
      "MegaFace (docs/decisions.md): every ordered (probe, gallery) pair of one identity is a trial; rank-1 is correct when the"
          + " genuine score ≥ the best distractor score; noise cleaning without jitter; TAR at the exact FAR achieved.");

  private RunReport() {}

  /** One target's line of the results table. */
  public record Row(String target, Double accuracyFlip, Double accuracyFlipStd, Double accuracy) {}

  /** The report written, and its summary (the table and one line per target) for the console. */
  record Written(Path markdown, String summary) {}

  /** The IJB column of a run with an ijb section: TAR at FAR 1e-4, as arcface_torch's README reports it. */
  record IjbColumn(String target, String folder, Double tarAt1e4) {
    String header() {
      return target.equals("IJBB") ? "IJB-B" : "IJB-C";
    }
  }

  /**
   * report.md (this run's table and lines) and report.html across models: {@code shown} are the
   * results-store records of this run and of the other models asked for (docs/results.md).
   */
  static Written write(Path work, ModelSpec spec, List<Row> rows, List<String> missing, Double megafaceRank1,
      IjbColumn ijb, List<ResultRecord> shown, List<String> otherModels) throws IOException {
    StringBuilder md = new StringBuilder("# facebeam results\n\nModel `" + spec.name() + "` (SHA-256 " + spec.sha256().substring(0, 12)
        + "…, " + spec.engine() + ", " + spec.preprocessing().describe() + ").\n\n| model |");
    for (Row r : rows) {
      md.append(' ').append(column(r.target())).append(" |");
    }
    md.append(" MegaFace rank-1 |").append(ijb == null ? "" : " " + ijb.header() + " TAR@FAR=1e-4 |")
        .append("\n| --- |").append(" ---: |".repeat(rows.size() + (ijb == null ? 1 : 2))).append("\n| ").append(spec.name()).append(" |");
    for (Row r : rows) {
      md.append(' ').append(Percent.of(r.accuracyFlip())).append(" |");
    }
    String mf = Percent.of(megafaceRank1);
    String note = "Accuracy-Flip in percent (10-fold mean)" + (megafaceRank1 == null ? "; MegaFace is not part of this run's config."
        : "; MegaFace rank-1 in percent at the largest distractor-set size (`megaface/megaface/report.md`).");
    String ij = ijb == null ? null : Percent.of(ijb.tarAt1e4());
    if (ijb != null) {
      note += " " + ijb.header() + ": TAR at FAR=1e-4 in percent, at the ROC vertex nearest it as InsightFace's eval_ijbc.py"
          + " reports (`ijb/" + ijb.folder() + "/report.md`).";
    }
    md.append(' ').append(mf).append(" |").append(ij == null ? "" : " " + ij + " |").append("\n\n").append(note).append('\n');
    for (Row r : rows) {
      if (r.accuracyFlip() != null) {
        md.append(String.format(Locale.ROOT, "%n- [%s]Accuracy-Flip: %1.5f+-%1.5f — `verify/%s/report.md`, ROC `verify/%s/roc.png`",
            r.target(), r.accuracyFlip(), r.accuracyFlipStd(), r.target(), r.target()));
      }
    }
    if (megafaceRank1 != null) {
      md.append(String.format(Locale.ROOT, "%n- MegaFace rank-1: %.5f at the largest size — `megaface/megaface/report.md`, CMC "
          + "`megaface/megaface/cmc.png`", megafaceRank1));
    }
    if (ijb != null && ijb.tarAt1e4() != null) {
      md.append(String.format(Locale.ROOT, "%n- %s TAR@FAR=1e-4: %.5f — `ijb/%s/report.md`, ROC `ijb/%s/roc.png`", ijb.header(),
          ijb.tarAt1e4(), ijb.folder(), ijb.folder()));
    }
    if (!missing.isEmpty()) {
      md.append("\n\nMissing packs (no `<target>.bin`): ").append(String.join(", ", missing)).append('\n');
    }
    String summary = md.toString();
    md.append("\n\nFigures across models: `report.html` (ROC on a log FAR axis, CMC), `figures/`.\n\n## Protocol decisions\n\n");
    for (String d : DECISIONS) {
      md.append("- ").append(d).append('\n');
    }
    String intro = "<p>This run: model <code>" + esc(spec.name()) + "</code> (SHA-256 " + spec.sha256().substring(0, 12) + "…, "
        + esc(spec.engine()) + ", " + esc(spec.preprocessing().describe()) + ")"
        + (otherModels.isEmpty() ? "" : "; beside it from the results store: " + esc(String.join(", ", otherModels))) + ".</p>\n"
        + (missing.isEmpty() ? "" : "<p class=\"note\">Missing packs (no <code>&lt;target&gt;.bin</code>): " + esc(String.join(", ", missing)) + "</p>\n");
    ResultsReport.write(work, shown, new ResultsReport.Page("facebeam results", intro, DECISIONS));
    StageFiles.writeAtomically(work.resolve(StageLayout.REPORT_MD), md.toString());
    return new Written(work.resolve(StageLayout.REPORT_MD), summary);
  }

  private static String column(String target) {
    return dev.facebeam.results.Benchmarks.name(target);
  }

  private static String esc(String s) {
    return TableText.esc(s);
  }
}
