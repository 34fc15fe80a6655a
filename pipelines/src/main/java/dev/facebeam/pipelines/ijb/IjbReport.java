package dev.facebeam.pipelines.ijb;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.facebeam.UserInputException;
import dev.facebeam.ijb.IjbEvaluation;
import dev.facebeam.ijb.IjbTestsuite;
import dev.facebeam.ijb.OneToN;
import dev.facebeam.io.StageFiles;
import dev.facebeam.metrics.RocCurve;
import dev.facebeam.pipelines.results.StoreRecords;
import dev.facebeam.pipelines.stage.StageLayout;
import dev.facebeam.results.Percent;
import dev.facebeam.results.ResultRecord;
import dev.facebeam.results.RocSample;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The ijb stage's {@code report.json}, one type that writes and reads it (docs/ijb.md). FARs are
 * keyed as Python's {@code %g} writes them ({@code "1e-06"} … {@code "0.1"}); numbers are
 * fractions; an undefined one is null.
 */
public record IjbReport(String target, String method, String mode, boolean fused, int faces, int facesWithoutFeatures, int templates, int pairs, long genuine,
    OneToOne oneToOne, OneToNReport oneToN, String protocol) {

  static final String PROTOCOL = "InsightFace eval_ijbc.py (1:1: scikit-learn roc_curve with drop_intermediate; TAR at "
      + "the ROC vertex nearest each FAR, first on ties) and ijb_1n.py (1:N: top-k; TPIR with the ceil(q*FPIR)-th highest "
      + "non-mated score as threshold); tar_at_far_at_most: the highest TAR at FAR <= x";
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping()
      .setFieldNamingPolicy(com.google.gson.FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES).create();

  /** InsightFace's table ({@code tar_at_far}) and the standard definition beside it. */
  /** {@code roc}: the curve on a log FAR grid (docs/results.md), for plots across models. */
  public record OneToOne(Map<String, Double> tarAtFar, Double auc, Map<String, Operating> tarAtFarAtMost, ResultRecord.Curve roc) {}

  public record Operating(Double tar, Double far, Double threshold) {}

  /**
   * {@code tpir_at_fpir}: ijb_1n.py's closed-set numbers; {@code cmc}: the share of probes whose mate
   * ranks within the first k, k = 1 … 20; {@code open_set}: NIST's open-set numbers per gallery.
   */
  public record OneToNReport(int probes, int gallery, Double top1, Double top5, Double top10, Map<String, Double> tpirAtFpir,
      Map<String, Double> thresholds, List<Double> cmc, List<OpenSetReport> openSet) {}

  /** One gallery searched on its own: mated probes (subject in it), non-mated ones, TPIR at FPIR and thresholds. */
  public record OpenSetReport(String gallery, int mated, int nonMated, Map<String, Double> tpirAtFpir, Map<String, Double> thresholds) {}

  static IjbReport of(IjbEvaluation.Result r, String method, boolean fused) {
    Map<String, Double> tar = new LinkedHashMap<>();
    Map<String, Operating> atMost = new LinkedHashMap<>();
    for (double far : IjbEvaluation.FARS) {
      tar.put(pythonG(far), defined(r.roc().insightFaceTar(far)));
      RocCurve.Operating o = r.roc().highestTarAtMost(far);
      atMost.put(pythonG(far), new Operating(defined(o.tar()), defined(o.far()), defined(o.threshold())));
    }
    OneToNReport n = null;
    if (r.oneToN() != null) {
      OneToN.Result o = r.oneToN();
      Map<String, Double> tpir = new LinkedHashMap<>();
      Map<String, Double> th = new LinkedHashMap<>();
      for (int i = 0; i < o.fpir().length; i++) {
        tpir.put(pythonG(o.fpir()[i]), defined(o.tpir()[i]));
        th.put(pythonG(o.fpir()[i]), defined(o.thresholds()[i]));
      }
      List<Double> cmc = new ArrayList<>();
      for (double c : o.cmc(Math.min(20, o.gallery()))) {
        cmc.add(c);
      }
      List<OpenSetReport> open = new ArrayList<>();
      String[] names = r.suite().target().equals(IjbTestsuite.IJBB) ? new String[] {"S1", "S2"} : new String[] {"G1", "G2"};
      for (int g = 0; g < r.openSet().length; g++) {
        OneToN.OpenSet s = r.openSet()[g];
        Map<String, Double> tp = new LinkedHashMap<>();
        Map<String, Double> ts = new LinkedHashMap<>();
        for (int i = 0; i < s.fpir().length; i++) {
          tp.put(pythonG(s.fpir()[i]), defined(s.tpir()[i]));
          ts.put(pythonG(s.fpir()[i]), defined(s.thresholds()[i]));
        }
        open.add(new OpenSetReport(names[g], s.mated(), s.nonMated(), tp, ts));
      }
      n = new OneToNReport(o.probes(), o.gallery(), o.top1(), o.top5(), o.top10(), tpir, th, cmc, open);
    }
    return new IjbReport(r.suite().target(), method, r.mode().toString(), fused, r.faces(), r.facesWithout(), r.templates(), r.pairs(), r.genuine(),
        new OneToOne(tar, defined(r.roc().auc()), atMost, RocSample.curve(r.roc(), r.pairs() - r.genuine(), r.genuine())), n, PROTOCOL);
  }

  /** Python's {@code %g} of the FARs used here: 1e-06, 1e-05, 0.0001, 0.001, 0.01, 0.1. */
  static String pythonG(double far) {
    String s = String.format(Locale.ROOT, "%.6g", far);
    if (far < 1e-4) {
      int exp = (int) Math.round(Math.log10(far));
      return String.format(Locale.ROOT, "1e-%02d", -exp);
    }
    return new BigDecimal(s).stripTrailingZeros().toPlainString();
  }

  private static Double defined(double v) {
    return Double.isFinite(v) ? v : null;
  }

  String toJson() {
    return GSON.toJson(this) + "\n";
  }

  void write(Path dir) throws IOException {
    StageFiles.writeAtomically(dir.resolve(StageLayout.REPORT_JSON), toJson());
  }

  public static IjbReport read(Path file) {
    try {
      return GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), IjbReport.class);
    } catch (IOException | RuntimeException e) {
      throw new UserInputException(file.toString(), "not an ijb report: " + e.getMessage(), e);
    }
  }

  /** The console's lines: the report's tables. */
  public String summary() {
    return markdown().stripTrailing();
  }

  /** The table papers copy: TAR in percent with two decimals, rounded as Python's {@code '%.2f'} (half-even on the exact value). */
  public String markdown() {
    StringBuilder sb = new StringBuilder("# ").append(target).append(" 1:1 verification (").append(mode)
        .append(fused ? ", features fused before: F does not apply" : "").append(")\n\n");
    sb.append("| Methods | 1e-06 | 1e-05 | 1e-04 | 1e-03 | 1e-02 | 1e-01 |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    sb.append("| ").append(method).append('-').append(target);
    for (Double v : oneToOne.tarAtFar().values()) {
      sb.append(" | ").append(v == null ? "–" : Percent.of(v));
    }
    sb.append(" |\n\nTAR at the ROC vertex nearest each FAR (InsightFace's eval_ijbc.py). AUC ")
        .append(oneToOne.auc() == null ? "–" : Percent.of(oneToOne.auc())).append(" %.\n\n");
    sb.append("Highest TAR with FAR at most x (the standard definition):\n\n| FAR ≤ | TAR | at FAR | threshold |\n| ---: | ---: | ---: | ---: |\n");
    oneToOne.tarAtFarAtMost().forEach((far, o) -> sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s |%n", far,
        o.tar() == null ? "–" : Percent.of(o.tar()), o.far() == null ? "–" : String.format(Locale.ROOT, "%.3g", o.far()),
        o.threshold() == null ? "–" : String.format(Locale.ROOT, "%.6f", o.threshold()))));
    sb.append(String.format(Locale.ROOT, "%n%d faces%s, %d templates, %d pairs (%d genuine).%n", faces,
        facesWithoutFeatures == 0 ? "" : " (" + facesWithoutFeatures + " without features: rejected, left out of their templates)",
        templates, pairs, genuine));
    if (oneToN != null) {
      sb.append(String.format(Locale.ROOT, "%n# %s 1:N identification (%s)%n%n| probes | gallery | top-1 | top-5 | top-10 |"
          + " TPIR@FPIR=0.01 | TPIR@FPIR=0.1 |%n| ---: | ---: | ---: | ---: | ---: | ---: | ---: |%n| %d | %d | %s | %s | %s | %s | %s |%n",
          target, mode, oneToN.probes(), oneToN.gallery(), Percent.of(oneToN.top1()), Percent.of(oneToN.top5()), Percent.of(oneToN.top10()),
          Percent.of(oneToN.tpirAtFpir().get("0.01")), Percent.of(oneToN.tpirAtFpir().get("0.1"))));
      sb.append("\nAs InsightFace's ijb_1n.py computes them: the non-mated scores of every probe pooled (closed set).\n");
      sb.append("\nOpen set, NIST's way (each gallery searched on its own; probes of the other gallery's subjects are non-mated):"
          + "\n\n| gallery | mated | non-mated | TPIR@FPIR=0.01 | TPIR@FPIR=0.1 |\n| --- | ---: | ---: | ---: | ---: |\n");
      for (OpenSetReport s : oneToN.openSet()) {
        sb.append(String.format(Locale.ROOT, "| %s | %d | %d | %s | %s |%n", s.gallery(), s.mated(), s.nonMated(),
            Percent.of(s.tpirAtFpir().get("0.01")), Percent.of(s.tpirAtFpir().get("0.1"))));
      }
    }
    return sb.toString();
  }


  /** The results-store record of an ijb output: the 1:1 TAR table and ROC, the 1:N CMC (docs/results.md). */
  public static ResultRecord record(Path dir) {
    IjbReport r = read(dir.resolve(StageLayout.REPORT_JSON));
    java.util.TreeMap<String, String> protocol = new java.util.TreeMap<>(Map.of("mode", r.mode(), "fused", Boolean.toString(r.fused())));
    List<Double> cmc = r.oneToN() == null ? null : r.oneToN().cmc();
    ResultRecord.Metrics metrics = new ResultRecord.Metrics(null, null, null, null, null, null, null, null,
        r.oneToOne().tarAtFar(), null, cmc);
    return StoreRecords.record(dir, "ijb", r.target().toLowerCase(Locale.ROOT), ResultRecord.IJB, protocol, metrics,
        r.oneToOne().roc(), (long) r.pairs(), r.pairs() - r.genuine());
  }
}
