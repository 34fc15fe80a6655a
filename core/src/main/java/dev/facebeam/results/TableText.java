package dev.facebeam.results;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.List;

/** A {@link BenchmarkTable} as Markdown, an HTML table, CSV or JSON (docs/results.md). */
public final class TableText {
  private TableText() {}

  public static String markdown(BenchmarkTable t) {
    StringBuilder sb = new StringBuilder("# Results: ").append(t.metric().describe()).append("\n\n| model |");
    t.columns().forEach(c -> sb.append(' ').append(c.label()).append(" |"));
    sb.append("\n| --- |").append(" ---: |".repeat(t.columns().size())).append('\n');
    for (BenchmarkTable.Row r : t.rows()) {
      sb.append("| ").append(r.label()).append(" |");
      t.columns().forEach(c -> sb.append(' ').append(t.metric().format(r.value(t.metric(), c))).append(" |"));
      sb.append('\n');
    }
    return sb.append("\n– : not measured.\n").toString();
  }

  /** The table element alone, for a report page. */
  public static String htmlTable(BenchmarkTable t) {
    StringBuilder sb = new StringBuilder("<table class=\"results\">\n<thead><tr><th>model</th>");
    t.columns().forEach(c -> sb.append("<th>").append(esc(c.label())).append("</th>"));
    sb.append("</tr></thead>\n<tbody>\n");
    for (BenchmarkTable.Row r : t.rows()) {
      sb.append("<tr><th scope=\"row\" title=\"SHA-256 ").append(esc(r.sha256())).append("\">").append(esc(r.label())).append("</th>");
      t.columns().forEach(c -> sb.append("<td>").append(t.metric().format(r.value(t.metric(), c))).append("</td>"));
      sb.append("</tr>\n");
    }
    return sb.append("</tbody>\n</table>\n").toString();
  }

  /** A page holding the table only ({@code results --format=html}). */
  public static String htmlPage(BenchmarkTable t) {
    return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>facebeam results</title>\n<style>"
        + STYLE + "</style></head><body>\n<h1>Results</h1>\n<p>" + esc(t.metric().describe()) + "; – : not measured.</p>\n"
        + htmlTable(t) + "</body></html>\n";
  }

  /** CSV with the cells as shown (percent, two decimals), empty where not measured. */
  public static String csv(BenchmarkTable t) {
    StringBuilder sb = new StringBuilder("model,model_sha256");
    t.columns().forEach(c -> sb.append(',').append(csvField(c.label())));
    sb.append('\n');
    for (BenchmarkTable.Row r : t.rows()) {
      sb.append(csvField(r.label())).append(',').append(r.sha256());
      for (BenchmarkTable.Column c : t.columns()) {
        Double v = r.value(t.metric(), c);
        sb.append(',').append(v == null ? "" : t.metric().format(v));
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  /** JSON with the raw numbers (fractions; null where not measured). */
  public static String json(BenchmarkTable t) {
    JsonObject o = new JsonObject();
    o.addProperty("metric", t.metric().name());
    o.addProperty("describe", t.metric().describe());
    JsonArray cols = new JsonArray();
    for (BenchmarkTable.Column c : t.columns()) {
      JsonObject j = new JsonObject();
      j.addProperty("label", c.label());
      j.addProperty("benchmark", c.benchmark());
      cols.add(j);
    }
    o.add("columns", cols);
    JsonArray rows = new JsonArray();
    for (BenchmarkTable.Row r : t.rows()) {
      JsonObject j = new JsonObject();
      j.addProperty("label", r.label());
      j.addProperty("model", r.model());
      j.addProperty("model_sha256", r.sha256());
      JsonObject values = new JsonObject();
      for (BenchmarkTable.Column c : t.columns()) {
        Double v = r.value(t.metric(), c);
        values.add(c.label(), v == null ? com.google.gson.JsonNull.INSTANCE : new JsonPrimitive(v));
        ResultRecord rec = r.records().get(c.key());
        if (rec != null && rec.source() != null) {
          sources(j).addProperty(c.label(), rec.source());
        }
      }
      j.add("values", values);
      rows.add(j);
    }
    o.add("rows", rows);
    return ResultsStore.GSON.toJson(o) + "\n";
  }

  private static JsonObject sources(JsonObject row) {
    if (!row.has("sources")) {
      row.add("sources", new JsonObject());
    }
    return row.getAsJsonObject("sources");
  }

  public static final String STYLE = "body{font-family:sans-serif;margin:2em;max-width:72em}"
      + "table.results{border-collapse:collapse}table.results th,table.results td{padding:4px 10px;border-bottom:1px solid #ccc}"
      + "table.results td{text-align:right;font-variant-numeric:tabular-nums}table.results th[scope=row]{text-align:left;font-weight:normal}";

  private static String csvField(String s) {
    return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }

  public static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  static List<String> labels(BenchmarkTable t) {
    return t.columns().stream().map(BenchmarkTable.Column::label).toList();
  }
}
