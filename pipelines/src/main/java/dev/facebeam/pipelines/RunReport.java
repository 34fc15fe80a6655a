package dev.facebeam.pipelines;

import dev.facebeam.embed.ModelSpec;
import dev.facebeam.io.StageFiles;
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

  /** The report written, and its summary (the table and one line per target) for the console. */
  record Written(Path markdown, String summary) {}

  /** The IJB column of a run with an ijb section: TAR at FAR 1e-4, as arcface_torch's README reports it. */
  record IjbColumn(String target, String folder, Double tarAt1e4) {
    String header() {
      return target.equals("IJBB") ? "IJB-B" : "IJB-C";
    }
  }

  static Written write(Path work, ModelSpec spec, List<RunJob.Row> rows, List<String> missing, Double megafaceRank1,
      IjbColumn ijb) throws IOException {
    StringBuilder md = new StringBuilder("# facebeam results\n\nModel `" + spec.name() + "` (SHA-256 " + spec.sha256().substring(0, 12)
        + "…, " + spec.engine() + ", " + spec.preprocessing().describe() + ").\n\n| model |");
    StringBuilder html = new StringBuilder("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>facebeam results</title>"
        + "<style>body{font-family:sans-serif;margin:2em}td,th{padding:4px 10px;border-bottom:1px solid #ccc}"
        + "td.n{text-align:right}</style></head><body>\n<h1>facebeam results</h1>\n<p>Model <code>" + esc(spec.name())
        + "</code> (SHA-256 " + spec.sha256().substring(0, 12) + "…, " + esc(spec.engine()) + ", " + esc(spec.preprocessing().describe())
        + ")</p>\n<table><tr><th>model</th>");
    for (RunJob.Row r : rows) {
      md.append(' ').append(column(r.target())).append(" |");
      html.append("<th>").append(esc(column(r.target()))).append("</th>");
    }
    md.append(" MegaFace rank-1 |").append(ijb == null ? "" : " " + ijb.header() + " TAR@FAR=1e-4 |")
        .append("\n| --- |").append(" ---: |".repeat(rows.size() + (ijb == null ? 1 : 2))).append("\n| ").append(spec.name()).append(" |");
    html.append("<th>MegaFace rank-1</th>").append(ijb == null ? "" : "<th>" + ijb.header() + " TAR@FAR=1e-4</th>")
        .append("</tr>\n<tr><td>").append(esc(spec.name())).append("</td>");
    for (RunJob.Row r : rows) {
      String v = r.accuracyFlip() == null ? "–" : String.format(Locale.ROOT, "%.2f", 100 * r.accuracyFlip());
      md.append(' ').append(v).append(" |");
      html.append("<td class=\"n\">").append(v).append("</td>");
    }
    String mf = megafaceRank1 == null ? "–" : String.format(Locale.ROOT, "%.2f", 100 * megafaceRank1);
    String note = "Accuracy-Flip in percent (10-fold mean)" + (megafaceRank1 == null ? "; MegaFace is not part of this run's config."
        : "; MegaFace rank-1 in percent at the largest distractor-set size (`megaface/megaface/report.md`).");
    String ij = ijb == null ? null : ijb.tarAt1e4() == null ? "–" : IjbReport.percent(ijb.tarAt1e4());
    if (ijb != null) {
      note += " " + ijb.header() + ": TAR at FAR=1e-4 in percent, at the ROC vertex nearest it as InsightFace's eval_ijbc.py"
          + " reports (`ijb/" + ijb.folder() + "/report.md`).";
    }
    md.append(' ').append(mf).append(" |").append(ij == null ? "" : " " + ij + " |").append("\n\n").append(note).append('\n');
    html.append("<td class=\"n\">").append(mf).append("</td>").append(ij == null ? "" : "<td class=\"n\">" + ij + "</td>")
        .append("</tr></table>\n<p>").append(esc(note)).append("</p>\n");
    for (RunJob.Row r : rows) {
      if (r.accuracyFlip() != null) {
        md.append(String.format(Locale.ROOT, "%n- [%s]Accuracy-Flip: %1.5f+-%1.5f — `verify/%s/report.md`, ROC `verify/%s/roc.png`",
            r.target(), r.accuracyFlip(), r.accuracyFlipStd(), r.target(), r.target()));
        html.append("<h2>").append(esc(column(r.target()))).append("</h2><p>Accuracy-Flip ")
            .append(String.format(Locale.ROOT, "%1.5f ± %1.5f", r.accuracyFlip(), r.accuracyFlipStd()))
            .append("</p><img alt=\"ROC\" width=\"480\" src=\"verify/").append(esc(r.target())).append("/roc.png\">\n");
      }
    }
    if (megafaceRank1 != null) {
      md.append(String.format(Locale.ROOT, "%n- MegaFace rank-1: %.5f at the largest size — `megaface/megaface/report.md`, CMC "
          + "`megaface/megaface/cmc.png`", megafaceRank1));
      html.append("<h2>MegaFace</h2><p>Rank-1 ").append(String.format(Locale.ROOT, "%.5f", megafaceRank1))
          .append(" at the largest distractor-set size</p><img alt=\"CMC\" width=\"480\" src=\"megaface/megaface/cmc.png\">\n");
    }
    if (ijb != null && ijb.tarAt1e4() != null) {
      md.append(String.format(Locale.ROOT, "%n- %s TAR@FAR=1e-4: %.5f — `ijb/%s/report.md`, ROC `ijb/%s/roc.png`", ijb.header(),
          ijb.tarAt1e4(), ijb.folder(), ijb.folder()));
      html.append("<h2>").append(ijb.header()).append("</h2><p>TAR@FAR=1e-4 ").append(String.format(Locale.ROOT, "%.5f", ijb.tarAt1e4()))
          .append("</p><img alt=\"ROC\" width=\"480\" src=\"ijb/").append(esc(ijb.folder())).append("/roc.png\">\n");
    }
    if (!missing.isEmpty()) {
      md.append("\n\nMissing packs (no `<target>.bin`): ").append(String.join(", ", missing)).append('\n');
      html.append("<p>Missing packs: ").append(esc(String.join(", ", missing))).append("</p>\n");
    }
    String summary = md.toString();
    md.append("\n\n## Protocol decisions\n\n");
    html.append("<h2>Protocol decisions</h2><ul>\n");
    for (String d : DECISIONS) {
      md.append("- ").append(d).append('\n');
      html.append("<li>").append(esc(d)).append("</li>\n");
    }
    html.append("</ul></body></html>\n");
    StageFiles.writeAtomically(work.resolve("report.html"), html.toString());
    StageFiles.writeAtomically(work.resolve("report.md"), md.toString());
    return new Written(work.resolve("report.md"), summary);
  }

  private static String column(String target) {
    return ResultsTable.COLUMNS.getOrDefault(target, target);
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
