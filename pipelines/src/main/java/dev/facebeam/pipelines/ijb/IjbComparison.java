package dev.facebeam.pipelines.ijb;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.facebeam.UserInputException;
import dev.facebeam.codec.export.NpyMatrix;
import dev.facebeam.ijb.IjbEvaluation;
import dev.facebeam.ijb.IjbPairs;
import dev.facebeam.ijb.IjbTestsuite;
import dev.facebeam.io.OutputGuard;
import dev.facebeam.io.StageFiles;
import dev.facebeam.metrics.RocCurve;
import dev.facebeam.pipelines.figures.Charts;
import dev.facebeam.pipelines.stage.StageLayout;
import dev.facebeam.pipelines.stage.Stages;
import dev.facebeam.proto.StageManifest;
import dev.facebeam.results.Percent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * {@code ijb --scoresNpy=A.npy,B.npy}: several methods' pair scores on one testsuite, in one TAR
 * table and one ROC, as InsightFace's plotting does. {@code report.json} is this record.
 */
public record IjbComparison(String target, int pairs, long genuine, List<Method> methods) {
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping()
      .setFieldNamingPolicy(com.google.gson.FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES).create();

  /** One method's InsightFace TAR table (FARs keyed as Python's %g) and AUC. */
  public record Method(String method, String scores, Map<String, Double> tarAtFar, Double auc) {}

  static IjbComparison run(IjbComparisonParams params, PipelineOptions runner) {
    Path root = params.input();
    List<Path> files = params.scores();
    List<String> names = params.labels();
    List<Path> inputs = new ArrayList<>(List.of(root));
    inputs.addAll(files);
    Path target = OutputGuard.folder("--output", params.output().toString(), "ijb", inputs);
    IjbTestsuite suite = IjbTestsuite.open(root, params.target());
    IjbPairs pairs = IjbPairs.read(suite.pairs());
    List<Method> methods = new ArrayList<>();
    List<RocCurve> curves = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      Path f = files.get(i);
      NpyMatrix m = NpyMatrix.openVector(f);
      if (m.cols() != 1 || m.rows() != pairs.size()) {
        throw new UserInputException(f.toString(), "holds " + m.rows() + " x " + m.cols() + " values; "
            + suite.pairs().getFileName() + " has " + pairs.size() + " pairs (one score each, in its order)");
      }
      double[] scores = m.readAllDoubles();
      for (int k = 0; k < scores.length; k++) {
        if (!Double.isFinite(scores[k])) {
          throw new UserInputException(f + "@" + k, "score is not a finite number");
        }
      }
      RocCurve roc = RocCurve.of(scores, pairs.label());
      Map<String, Double> tar = new LinkedHashMap<>();
      for (double far : IjbEvaluation.FARS) {
        tar.put(IjbReport.pythonG(far), roc.insightFaceTar(far));
      }
      String name = names.isEmpty() ? f.getFileName().toString().replaceFirst("\\.npy$", "") : names.get(i);
      methods.add(new Method(name, f.toString(), tar, roc.auc()));
      curves.add(roc);
    }
    IjbComparison c = new IjbComparison(suite.target(), pairs.size(), pairs.genuine(), methods);
    Stages.commit(target, "ijb", out -> {
      StageFiles.writeAtomically(out.work().resolve(StageLayout.REPORT_JSON), GSON.toJson(c) + "\n");
      StageFiles.writeAtomically(out.work().resolve(StageLayout.REPORT_MD), c.markdown());
      List<Charts.Curve> drawn = new ArrayList<>();
      for (int i = 0; i < curves.size(); i++) {
        drawn.add(Charts.vertices(methods.get(i).method(), curves.get(i)));
      }
      Charts.roc("ROC on " + c.target(), drawn, null, out.work().resolve("roc"));
      StageManifest.Builder m = Stages.manifest("ijb", root.toString(), pairs.size() * (long) files.size(),
          pairs.size() * (long) files.size(), 0, runner).setFormat(suite.target().toLowerCase(java.util.Locale.ROOT))
          .setPairs(pairs.size()).setPositivePairs(pairs.genuine()).putParameters("compare", String.join(",", files.stream().map(Path::toString).toList()));
      for (Path p : inputs.subList(1, inputs.size())) {
        m.addInputs(dev.facebeam.io.Digests.of(p, p.toString(), Long.MAX_VALUE));
      }
      return m;
    });
    return c;
  }


  static IjbComparison read(Path file) {
    try {
      return GSON.fromJson(Files.readString(file), IjbComparison.class);
    } catch (IOException | RuntimeException e) {
      throw new UserInputException(file.toString(), "not an ijb comparison: " + e.getMessage(), e);
    }
  }

  /** The console's lines: the comparison's table. */
  public String summary() {
    return markdown().stripTrailing();
  }

  /** One row per method, as the script's table prints them. */
  public String markdown() {
    StringBuilder sb = new StringBuilder("# ").append(target).append(" 1:1 verification\n\n")
        .append("| Methods | 1e-06 | 1e-05 | 1e-04 | 1e-03 | 1e-02 | 1e-01 | AUC |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (Method m : methods) {
      sb.append("| ").append(m.method()).append('-').append(target);
      m.tarAtFar().values().forEach(v -> sb.append(" | ").append(Percent.of(v)));
      sb.append(" | ").append(Percent.of(m.auc())).append(" |\n");
    }
    sb.append(String.format(java.util.Locale.ROOT, "%nTAR at the ROC vertex nearest each FAR (InsightFace's eval_ijbc.py); "
        + "%d pairs, %d genuine.%n", pairs, genuine));
    return sb.toString();
  }
}
