package dev.facebeam.pipelines.results;

import static dev.facebeam.results.TableText.esc;

import dev.facebeam.io.StageFiles;
import dev.facebeam.pipelines.figures.Charts;
import dev.facebeam.results.BenchmarkTable;
import dev.facebeam.results.Metric;
import dev.facebeam.results.Percent;
import dev.facebeam.results.ResultRecord;
import dev.facebeam.results.TableText;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code report.html} across models (docs/results.md): the seed's table, then per benchmark the
 * numbers behind it and the figures — ROC curves of every model on a log FAR axis, MegaFace's CMC
 * and rank-1 against the number of distractors — as PNG and SVG in {@code figures/}. A small script
 * marks any figure that fails to load, and says on the page how many loaded.
 */
public final class ResultsReport {
  private ResultsReport() {}

  /** What the page says around the results: a title, an introduction (HTML) and the protocol decisions to list. */
  public record Page(String title, String introHtml, List<String> decisions) {}

  private static final String STYLE = "figure{margin:1em 0}figure img{max-width:100%;height:auto;border:1px solid #eee}"
      + "p.note{color:#8a4b00}p.missing{color:#b00020;font-weight:bold}table.detail{border-collapse:collapse;margin:0.5em 0}"
      + "table.detail th,table.detail td{padding:3px 8px;border-bottom:1px solid #ddd}table.detail td{text-align:right}"
      + "table.detail td.l{text-align:left}code{font-size:90%}";
  private static final String IMAGE_CHECK = "<script>\nwindow.addEventListener('load', function () {\n"
      + "  var imgs = document.images, ok = 0;\n"
      + "  for (var i = 0; i < imgs.length; i++) {\n"
      + "    if (imgs[i].complete && imgs[i].naturalWidth > 0) { ok++; continue; }\n"
      + "    var p = document.createElement('p'); p.className = 'missing';\n"
      + "    p.textContent = 'Figure missing: ' + imgs[i].getAttribute('src');\n"
      + "    imgs[i].parentNode.insertBefore(p, imgs[i]);\n  }\n"
      + "  document.body.setAttribute('data-images-loaded', ok + '/' + imgs.length);\n});\n</script>\n";

  /** Writes {@code report.html} and {@code figures/} into {@code dir}; returns the page. */
  public static Path write(Path dir, List<ResultRecord> records, Page page) throws IOException {
    BenchmarkTable table = BenchmarkTable.of(records, Metric.HEADLINE);
    Map<String, String> labels = new HashMap<>();
    Map<String, Integer> colors = new HashMap<>();
    for (BenchmarkTable.Row row : table.rows()) {
      row.records().values().forEach(r -> labels.put(r.rowKey(), row.label()));
      row.records().values().forEach(r -> colors.put(r.rowKey(), table.rows().indexOf(row)));
    }
    StringBuilder html = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
        .append(esc(page.title())).append("</title>\n<style>").append(TableText.STYLE).append(STYLE).append("</style></head>\n<body>\n<h1>")
        .append(esc(page.title())).append("</h1>\n").append(page.introHtml()).append("<h2>Results</h2>\n<p>")
        .append(esc(table.metric().describe())).append("; – : not measured.</p>\n").append(TableText.htmlTable(table));
    List<Figure> figures = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    for (BenchmarkTable.Column c : table.columns()) {
      List<ResultRecord> of = new ArrayList<>();
      for (BenchmarkTable.Row row : table.rows()) {
        ResultRecord r = row.records().get(c.key());
        if (r != null) {
          of.add(r);
        }
      }
      // a benchmark under two protocols (IJB modes, MegaFace sizes) has a section, and figures, per protocol
      int k = seen.merge(c.benchmark(), 1, Integer::sum);
      String id = c.benchmark() + (k > 1 ? "-" + k : "");
      html.append("<section id=\"").append(esc(id)).append("\">\n<h2>").append(esc(c.label())).append("</h2>\n");
      switch (of.get(0).kind()) {
        case ResultRecord.MEGAFACE -> megaface(html, figures, id, c, of, labels, colors);
        case ResultRecord.IJB -> ijb(html, figures, id, c, of, labels, colors);
        default -> verification(html, figures, id, c, of, labels, colors);
      }
      html.append("</section>\n");
    }
    if (!page.decisions().isEmpty()) {
      html.append("<h2>Protocol decisions</h2>\n<ul>\n");
      page.decisions().forEach(d -> html.append("<li>").append(esc(d)).append("</li>\n"));
      html.append("</ul>\n");
    }
    html.append(IMAGE_CHECK).append("</body></html>\n");
    StageFiles.replaceFolderAtomically(dir.resolve("figures"), tmp -> {
      for (Figure f : figures) {
        f.draw(tmp);
      }
    });
    Path file = dir.resolve("report.html");
    StageFiles.writeAtomically(file, html.toString());
    return file;
  }

  /** A figure to draw into the figures folder under {@code name}.png / .svg. */
  private interface Figure {
    void draw(Path folder) throws IOException;
  }

  private static void verification(StringBuilder html, List<Figure> figures, String id, BenchmarkTable.Column c,
      List<ResultRecord> of, Map<String, String> labels, Map<String, Integer> colors) {
    html.append("<table class=\"detail\"><tr><th>model</th><th>Accuracy-Flip</th><th>Accuracy</th><th>VAL@FAR=1e-3</th>"
        + "<th>TAR@FAR=1e-4</th><th>TAR@FAR=1e-3</th><th>XNorm</th><th>pairs (different)</th><th>output</th></tr>\n");
    List<Charts.Curve> curves = new ArrayList<>();
    List<String> without = new ArrayList<>();
    for (ResultRecord r : of) {
      ResultRecord.Metrics m = r.metrics();
      String label = labels.get(r.rowKey());
      html.append("<tr><td class=\"l\">").append(esc(label)).append("</td><td>").append(pm(m.accuracyFlip(), m.accuracyFlipStd()))
          .append("</td><td>").append(pm(m.accuracy(), m.accuracyStd())).append("</td><td>").append(pm(m.val(), m.valStd()))
          .append("</td><td>").append(pct(tar(m, "0.0001"))).append("</td><td>").append(pct(tar(m, "0.001")))
          .append("</td><td>").append(m.xnorm() == null ? "–" : String.format(Locale.ROOT, "%.4f", m.xnorm()))
          .append("</td><td>").append(r.pairs()).append(" (").append(r.negatives()).append(")</td><td class=\"l\"><code>")
          .append(esc(String.valueOf(r.source()))).append("</code></td></tr>\n");
      if (r.roc() != null && !r.roc().far().isEmpty()) {
        curves.add(new Charts.Curve(label, r.roc().far(), r.roc().tar(), colors.get(r.rowKey())));
      } else {
        without.add(label + (r.negatives() != null && r.negatives() == 0 ? " (the pack has no different-identity pairs)"
            : " (no same-identity pairs)"));
      }
    }
    html.append("</table>\n<p>TAR@FAR: the highest true accept rate at a false accept rate ≤ FAR over every pair (the"
        + " exact ROC); – where the pack has too few different-identity pairs to resolve that FAR.</p>\n");
    if (!without.isEmpty()) {
      html.append("<p class=\"note\">No ROC for ").append(esc(String.join("; ", without))).append(": a ROC needs both same-"
          + " and different-identity pairs.</p>\n");
    }
    if (!curves.isEmpty()) {
      String name = "roc-" + id;
      figures.add(f -> Charts.roc("ROC on " + c.label(), curves, null, f.resolve(name)));
      figure(html, name, "ROC on " + c.label() + ", log FAR axis; dots: TAR at FAR=1e-4 and 1e-3");
    }
  }

  private static void megaface(StringBuilder html, List<Figure> figures, String id, BenchmarkTable.Column c,
      List<ResultRecord> of, Map<String, String> labels, Map<String, Integer> colors) {
    html.append("<table class=\"detail\"><tr><th>model</th><th>rank-1 by distractors</th><th>TAR@FAR (largest set)</th><th>output</th></tr>\n");
    List<Charts.Curve> cmc = new ArrayList<>();
    List<Charts.Curve> rank1 = new ArrayList<>();
    for (ResultRecord r : of) {
      ResultRecord.Metrics m = r.metrics();
      String label = labels.get(r.rowKey());
      StringBuilder sizes = new StringBuilder();
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      if (m.rank1() != null) {
        m.rank1().forEach((size, v) -> {
          sizes.append(sizes.length() > 0 ? ", " : "").append(size).append(": ").append(pct(v));
          x.add(Double.parseDouble(size));
          y.add(v);
        });
      }
      StringBuilder tars = new StringBuilder();
      if (m.tarAtFar() != null) {
        m.tarAtFar().forEach((far, v) -> tars.append(tars.length() > 0 ? ", " : "").append(far).append(": ").append(pct(v)));
      }
      html.append("<tr><td class=\"l\">").append(esc(label)).append("</td><td class=\"l\">").append(sizes).append("</td><td class=\"l\">")
          .append(tars).append("</td><td class=\"l\"><code>").append(esc(String.valueOf(r.source()))).append("</code></td></tr>\n");
      if (!x.isEmpty()) {
        rank1.add(new Charts.Curve(label, x, y, colors.get(r.rowKey())));
      }
      if (m.cmc() != null && !m.cmc().isEmpty()) {
        Charts.Curve ranks = Charts.ranks(label, m.cmc());
        cmc.add(new Charts.Curve(label, ranks.x(), ranks.y(), colors.get(r.rowKey())));
      }
    }
    html.append("</table>\n");
    if (!cmc.isEmpty()) {
      figures.add(f -> Charts.cmc("CMC on MegaFace (largest distractor set)", cmc, f.resolve("cmc-" + id)));
      figure(html, "cmc-" + id, "CMC at the largest distractor set");
    }
    if (!rank1.isEmpty()) {
      figures.add(f -> Charts.rank1("Rank-1 against the number of distractors", rank1, f.resolve("rank1-" + id)));
      figure(html, "rank1-" + id, "Rank-1 identification rate against the number of distractors (log)");
    }
  }

  private static void ijb(StringBuilder html, List<Figure> figures, String id, BenchmarkTable.Column c,
      List<ResultRecord> of, Map<String, String> labels, Map<String, Integer> colors) {
    html.append("<table class=\"detail\"><tr><th>model</th>");
    Metric.FARS.forEach(f -> html.append("<th>TAR@FAR=").append(f).append("</th>"));
    html.append("<th>output</th></tr>\n");
    List<Charts.Curve> curves = new ArrayList<>();
    for (ResultRecord r : of) {
      String label = labels.get(r.rowKey());
      html.append("<tr><td class=\"l\">").append(esc(label)).append("</td>");
      Metric.FARS.forEach(f -> html.append("<td>").append(pct(tar(r.metrics(), f))).append("</td>"));
      html.append("<td class=\"l\"><code>").append(esc(String.valueOf(r.source()))).append("</code></td></tr>\n");
      if (r.roc() != null && !r.roc().far().isEmpty()) {
        curves.add(new Charts.Curve(label, r.roc().far(), r.roc().tar(), colors.get(r.rowKey())));
      }
    }
    html.append("</table>\n<p>TAR at the ROC vertex nearest each FAR, as InsightFace's eval_ijbc.py reports it.</p>\n");
    if (!curves.isEmpty()) {
      figures.add(f -> Charts.roc("ROC on " + c.label(), curves, null, f.resolve("roc-" + id)));
      figure(html, "roc-" + id, "1:1 ROC on " + c.label() + ", log FAR axis");
    }
  }

  private static void figure(StringBuilder html, String name, String caption) {
    html.append("<figure><img src=\"figures/").append(esc(name)).append(".png\" alt=\"").append(esc(caption)).append("\" width=\"")
        .append(Charts.WIDTH).append("\" height=\"").append(Charts.HEIGHT).append("\"><figcaption>").append(esc(caption))
        .append(" (<a href=\"figures/").append(esc(name)).append(".svg\">SVG</a>)</figcaption></figure>\n");
  }

  private static Double tar(ResultRecord.Metrics m, String far) {
    return m.tarAtFar() == null ? null : m.tarAtFar().get(far);
  }

  private static String pct(Double v) {
    return Percent.of(v);
  }

  private static String pm(Double v, Double std) {
    return v == null ? "–" : String.format(Locale.ROOT, "%.5f ± %.5f", v, std == null ? 0 : std);
  }
}
