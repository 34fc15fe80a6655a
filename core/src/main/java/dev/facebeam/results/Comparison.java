package dev.facebeam.results;

import dev.facebeam.UserInputException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * Two rows of the store side by side (docs/results.md): per benchmark both values, B − A in points,
 * and whether the difference exceeds the fold standard deviation (the larger of the two; only
 * verification packs have folds).
 */
public record Comparison(Metric metric, BenchmarkTable.Row a, BenchmarkTable.Row b, List<Line> lines) {

  /** One benchmark: values as fractions, {@code difference} = b − a, {@code std} the larger fold std; null where undefined. */
  public record Line(String benchmark, Double a, Double b, Double difference, Double std, Boolean exceedsStd) {}

  /** Compares the rows named by {@code selectors} (two of them) in {@code table}. */
  public static Comparison of(BenchmarkTable table, List<String> selectors, String option) {
    if (selectors.size() != 2) {
      throw new UserInputException(option, "name two models: --compare=A,B (got " + selectors.size() + ")");
    }
    BenchmarkTable.Row a = Selection.one(table, selectors.get(0), option);
    BenchmarkTable.Row b = Selection.one(table, selectors.get(1), option);
    if (a == b) {
      throw new UserInputException(option, "'" + selectors.get(0) + "' and '" + selectors.get(1) + "' are the same row: " + a.label());
    }
    Metric m = table.metric();
    List<Line> lines = new ArrayList<>();
    for (BenchmarkTable.Column c : table.columns()) {
      Double va = a.value(m, c);
      Double vb = b.value(m, c);
      if (va == null && vb == null) {
        continue;
      }
      Double diff = va != null && vb != null ? vb - va : null;
      Double sa = a.std(m, c);
      Double sb = b.std(m, c);
      Double std = sa == null ? sb : sb == null ? sa : Double.valueOf(Math.max(sa, sb));
      lines.add(new Line(c.label(), va, vb, diff, std, diff == null || std == null ? null : Math.abs(diff) > std));
    }
    return new Comparison(m, a, b, lines);
  }

  public String markdown() {
    StringBuilder sb = new StringBuilder("# ").append(b.label()).append(" against ").append(a.label()).append("\n\n")
        .append(metric.describe()).append(". Difference: B − A in points; std: the larger fold standard deviation of the"
            + " two (verification packs: 10 folds).\n\n| benchmark | A: ").append(a.label()).append(" | B: ").append(b.label())
        .append(" | B − A | fold std | exceeds std |\n| --- | ---: | ---: | ---: | ---: | :---: |\n");
    for (Line l : lines) {
      sb.append("| ").append(l.benchmark()).append(" | ").append(metric.format(l.a())).append(" | ").append(metric.format(l.b()))
          .append(" | ").append(signed(l.difference())).append(" | ").append(metric.format(l.std())).append(" | ")
          .append(l.exceedsStd() == null ? "–" : l.exceedsStd() ? "yes" : "no").append(" |\n");
    }
    return sb.toString();
  }

  private String signed(Double d) {
    if (d == null) {
      return "–";
    }
    BigDecimal v = metric.percent() ? Percent.rounded(d) : new BigDecimal(d).setScale(2, RoundingMode.HALF_EVEN);
    return (v.signum() > 0 ? "+" : v.signum() == 0 ? "±" : "") + v.toPlainString();
  }
}
