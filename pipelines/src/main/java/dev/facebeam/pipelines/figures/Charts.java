package dev.facebeam.pipelines.figures;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report figures (docs/results.md): ROC on a log FAR axis from 1e-6 to 1 with FAR=1e-4 and 1e-3
 * marked, CMC, and rank-1 against the number of distractors; models overlaid, the legend below the
 * plot, the value axis fitted to the data (and still readable when every value is equal). Each
 * figure is written as PNG and SVG.
 */
public final class Charts {
  public static final int WIDTH = 720;
  public static final int HEIGHT = 540;
  /** FARs marked on every ROC: the operating points papers quote. */
  static final double[] MARKED_FARS = {1e-4, 1e-3};
  private static final Color[] PALETTE = {new Color(31, 119, 180), new Color(214, 39, 40), new Color(44, 160, 44),
      new Color(255, 127, 14), new Color(148, 103, 189), new Color(140, 86, 75), new Color(227, 119, 194), new Color(23, 190, 207)};

  private Charts() {}

  /** One curve: its legend label, its points, and its colour (an index: one model keeps its colour in every figure). */
  public record Curve(String label, List<Double> x, List<Double> y, int color) {
    public Curve(String label, List<Double> x, List<Double> y) {
      this(label, x, y, -1);
    }
  }

  private static Color color(Curve c, int position) {
    return PALETTE[(c.color() >= 0 ? c.color() : position) % PALETTE.length];
  }

  /**
   * TAR against FAR, every curve on one log axis from 1e-6 to 1; the marked FARs drawn as vertical
   * lines and each curve's TAR there as a dot. {@code note} (may be null) is written across the plot,
   * e.g. why a model has no curve. Points at FAR 0 are left out: a log axis has no 0.
   */
  public static void roc(String title, List<Curve> curves, String note, Path base) throws IOException {
    XYChart chart = chart(title, "False accept rate (log)", "True accept rate");
    chart.getStyler().setXAxisLogarithmic(true).setXAxisMin(1e-6).setXAxisMax(1.0);
    List<Double> all = new ArrayList<>();
    for (int c = 0; c < curves.size(); c++) {
      Curve curve = curves.get(c);
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      for (int i = 0; i < curve.x().size(); i++) {
        if (curve.x().get(i) > 0 && curve.y().get(i) != null) {
          x.add(curve.x().get(i));
          y.add(curve.y().get(i));
        }
      }
      if (x.isEmpty()) {
        continue;
      }
      all.addAll(y);
      Color color = color(curve, c);
      Curve drawn = visible(new Curve(curve.label(), x, y));
      XYSeries s = chart.addSeries(curve.label(), drawn.x(), drawn.y());
      s.setMarker(SeriesMarkers.NONE).setLineColor(color).setLineStyle(new BasicStroke(2f));
      List<Double> mx = new ArrayList<>();
      List<Double> my = new ArrayList<>();
      for (double far : MARKED_FARS) {
        Double tar = atMost(x, y, far);
        if (tar != null) {
          mx.add(far);
          my.add(tar);
        }
      }
      if (!mx.isEmpty()) {
        XYSeries m = chart.addSeries(curve.label() + " @ marked FARs", mx, my);
        m.setMarker(SeriesMarkers.CIRCLE).setMarkerColor(color).setLineStyle(new BasicStroke(0f)).setLineColor(new Color(0, 0, 0, 0));
        m.setShowInLegend(false);
      }
    }
    for (double far : MARKED_FARS) {
      chart.addAnnotation(new AnnotationLine(far, true, false));
    }
    fitValueAxis(chart, all);
    finish(chart, all.isEmpty() && note == null ? "no curve to draw" : note, base);
  }

  /** Steps per decade of FAR in which a ROC keeps only its first and last point when drawn: 4 per pixel at {@link #WIDTH}. */
  static final int STEPS_PER_DECADE = 4 * WIDTH / 6;

  /**
   * The points of a ROC (FAR ascending, FAR > 0) that can show: in each {@link #STEPS_PER_DECADE}-th of a decade
   * its first and last, which on a curve that only rises are its lowest and highest there. The figure looks the
   * same; IJB-C's 15.66 M pairs have millions of vertices, which took the chart library seconds to draw.
   */
  static Curve visible(Curve curve) {
    List<Double> x = new ArrayList<>();
    List<Double> y = new ArrayList<>();
    int n = curve.x().size();
    for (int i = 0; i < n; i++) {
      long step = (long) Math.floor(Math.log10(curve.x().get(i)) * STEPS_PER_DECADE);
      boolean first = i == 0 || step != (long) Math.floor(Math.log10(curve.x().get(i - 1)) * STEPS_PER_DECADE);
      boolean last = i == n - 1 || step != (long) Math.floor(Math.log10(curve.x().get(i + 1)) * STEPS_PER_DECADE);
      if (first || last) {
        x.add(curve.x().get(i));
        y.add(curve.y().get(i));
      }
    }
    return new Curve(curve.label(), x, y, curve.color());
  }

  /** A ROC's vertices as a curve (those at FAR 0 are dropped when drawn). */
  public static Curve vertices(String label, dev.facebeam.metrics.RocCurve roc) {
    List<Double> x = new ArrayList<>();
    List<Double> y = new ArrayList<>();
    for (int i = 0; i < roc.fpr().length; i++) {
      if (Double.isFinite(roc.fpr()[i]) && Double.isFinite(roc.tpr()[i])) {
        x.add(roc.fpr()[i]);
        y.add(roc.tpr()[i]);
      }
    }
    return new Curve(label, x, y);
  }

  /** Ranks 1 … n against the rates, as a curve. */
  public static Curve ranks(String label, List<Double> rates) {
    List<Double> x = new ArrayList<>();
    for (int k = 1; k <= rates.size(); k++) {
      x.add((double) k);
    }
    return new Curve(label, x, rates);
  }

  /** The highest TAR of a sampled curve at FAR ≤ {@code far}; null when the curve does not reach down to it. */
  static Double atMost(List<Double> far, List<Double> tar, double at) {
    Double best = null;
    for (int i = 0; i < far.size(); i++) {
      if (far.get(i) <= at * (1 + 1e-9) && (best == null || tar.get(i) > best)) {
        best = tar.get(i);
      }
    }
    return best;
  }

  /** Identification rate against rank, one line per curve. */
  public static void cmc(String title, List<Curve> curves, Path base) throws IOException {
    XYChart chart = chart(title, "Rank", "Identification rate");
    List<Double> all = new ArrayList<>();
    for (int c = 0; c < curves.size(); c++) {
      Curve curve = curves.get(c);
      all.addAll(curve.y());
      chart.addSeries(curve.label(), curve.x(), curve.y()).setMarker(SeriesMarkers.CIRCLE)
          .setMarkerColor(color(curve, c)).setLineColor(color(curve, c));
    }
    chart.getStyler().setXAxisDecimalPattern("#");
    fitValueAxis(chart, all);
    finish(chart, null, base);
  }

  /** Rank-1 against the number of distractors on a log axis, one line per curve. */
  public static void rank1(String title, List<Curve> curves, Path base) throws IOException {
    XYChart chart = chart(title, "Distractors (log)", "Rank-1 identification rate");
    List<Double> all = new ArrayList<>();
    double lo = Double.POSITIVE_INFINITY;
    double hi = 0;
    for (int c = 0; c < curves.size(); c++) {
      Curve curve = curves.get(c);
      all.addAll(curve.y());
      for (double x : curve.x()) {
        lo = Math.min(lo, x);
        hi = Math.max(hi, x);
      }
      chart.addSeries(curve.label(), curve.x(), curve.y()).setMarker(SeriesMarkers.CIRCLE)
          .setMarkerColor(color(curve, c)).setLineColor(color(curve, c));
    }
    if (hi > 0) {
      chart.getStyler().setXAxisLogarithmic(true).setXAxisMin(Math.pow(10, Math.floor(Math.log10(lo))))
          .setXAxisMax(Math.pow(10, Math.ceil(Math.log10(hi)) + (lo == hi ? 1 : 0)));
    }
    fitValueAxis(chart, all);
    finish(chart, null, base);
  }

  private static XYChart chart(String title, String x, String y) {
    System.setProperty("java.awt.headless", "true");
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(x).yAxisTitle(y).build();
    chart.getStyler().setPlotGridLinesVisible(true);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS).setLegendLayout(Styler.LegendLayout.Horizontal)
        .setChartBackgroundColor(Color.WHITE).setAntiAlias(true);
    return chart;
  }

  /**
   * The value axis spans the data with a margin, within [0, 1], and at least 0.04 wide: a set of
   * values that are all 1.0 gets 0.96 … 1.0 with ticks, not a single tick.
   */
  static double[] valueRange(List<Double> values) {
    double lo = 1;
    double hi = 0;
    for (Double v : values) {
      if (v != null && Double.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    if (lo > hi) {
      return new double[] {0, 1};
    }
    double pad = Math.max(0.01, (hi - lo) * 0.05);
    double min = Math.max(0, lo - pad);
    double max = Math.min(1, hi + pad);
    if (max - min < 0.04) {
      min = Math.max(0, max - 0.04);
      max = Math.min(1, min + 0.04);
    }
    return new double[] {Math.floor(min * 100) / 100, Math.ceil(max * 100) / 100};
  }

  private static void fitValueAxis(XYChart chart, List<Double> values) {
    double[] r = valueRange(values);
    chart.getStyler().setYAxisMin(r[0]).setYAxisMax(r[1]).setYAxisDecimalPattern(r[1] - r[0] < 0.1 ? "0.000" : "0.00");
  }

  private static void finish(XYChart chart, String note, Path base) throws IOException {
    if (note != null) {
      // A series is needed for the axes to render; an invisible one keeps the note on an empty plot.
      if (chart.getSeriesMap().isEmpty()) {
        XYSeries s = chart.addSeries(" ", List.of(chart.getStyler().getXAxisMin() != null ? chart.getStyler().getXAxisMin() : 0.0),
            List.of(chart.getStyler().getYAxisMin() != null ? chart.getStyler().getYAxisMin() : 0.0));
        s.setMarker(SeriesMarkers.NONE).setShowInLegend(false);
      }
      chart.addAnnotation(new AnnotationText(note, WIDTH / 2.0, HEIGHT / 2.0, true));
    }
    BitmapEncoder.saveBitmap(chart, base.toString() + ".png", BitmapEncoder.BitmapFormat.PNG);
    VectorGraphicsEncoder.saveVectorGraphic(chart, base.toString() + ".svg", VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
  }
}
