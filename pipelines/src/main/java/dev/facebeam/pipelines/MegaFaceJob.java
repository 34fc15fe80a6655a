package dev.facebeam.pipelines;

import dev.facebeam.codec.CodecException;
import dev.facebeam.io.Json;
import dev.facebeam.io.StageFiles;
import dev.facebeam.io.StageOutput;
import dev.facebeam.metrics.DistractorScores;
import dev.facebeam.metrics.MegaFaceProtocol;
import dev.facebeam.proto.Embedding;
import dev.facebeam.proto.Role;
import dev.facebeam.proto.StageManifest;
import dev.facebeam.transforms.ReadStageShards;
import dev.facebeam.transforms.ScoreDistractors;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/**
 * MegaFace identification (spec §4, decisions §8.1–§8.4) over embed outputs: probes are small and go
 * to every worker; distractors stream through {@link ScoreDistractors} in blocks; the driver turns
 * the surviving top scores into rank-1, CMC and TAR@FAR per distractor-set size.
 */
public final class MegaFaceJob extends PTransform<PBegin, PDone> {
  private static final String SCORES = "_scores.ser";
  private final List<String> distractorShards;
  private final ScoreDistractors scoring;
  private final boolean cleaning;
  private final String workDir;

  MegaFaceJob(List<String> distractorShards, ScoreDistractors scoring, boolean cleaning, String workDir) {
    this.distractorShards = distractorShards;
    this.scoring = scoring;
    this.cleaning = cleaning;
    this.workDir = workDir;
  }

  @Override
  public PDone expand(PBegin begin) {
    PCollection<Embedding> distractors = begin.apply("ReadDistractors", ReadStageShards.of(distractorShards, Embedding.class))
        .apply("OnlyDistractors", Filter.by(e -> e.getRole() == Role.DISTRACTOR));
    Stages.write(List.of(Stages.count(distractors, "distractors"),
        Stages.count(distractors.apply("Noisy", Filter.by(Embedding::getNoisy)), "noisy")), workDir);
    PCollection<Embedding> competing = cleaning ? distractors.apply("DropNoisy", Filter.by(e -> !e.getNoisy())) : distractors;
    competing.apply("Score", Combine.globally(scoring))
        .setCoder(SerializableCoder.of(DistractorScores.class))
        .apply("Keep", ParDo.of(new DoFn<DistractorScores, Void>() {
          @ProcessElement
          public void process(@Element DistractorScores s) throws IOException {
            try (ObjectOutputStream out = new ObjectOutputStream(Files.newOutputStream(Path.of(workDir, SCORES)))) {
              out.writeObject(s);
            }
          }
        }));
    return PDone.in(begin.getPipeline());
  }

  /** One size's numbers. */
  public record SizeReport(int size, long distractors, long trials, long correct, double rank1, double[] cmc,
      List<MegaFaceProtocol.TarAtFar> tarAtFar) {}

  public record Result(List<SizeReport> sizes, int probes, int identities, int probesReplaced, long noisyDistractors) {}

  public static Result run(MegaFaceOptions o) {
    Path probesDir = Path.of(o.getProbes());
    Path distractorsDir = Path.of(o.getDistractors());
    StageManifest pm = StageOutput.requireManifest(probesDir);
    StageManifest dm = StageOutput.requireManifest(distractorsDir);
    List<Embedding> probeList = new ArrayList<>();
    try {
      for (String s : pm.getShardsList()) {
        for (Embedding e : StageFiles.readFramed(probesDir.resolve(s), Embedding.parser())) {
          if (e.getRole() == Role.PROBE) {
            probeList.add(e);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (probeList.isEmpty()) {
      throw new CodecException(probesDir.toString(), "no PROBE embeddings: embed an ingested MegaFace pack");
    }
    probeList.sort(Comparator.comparing(Embedding::getId));
    int p = probeList.size();
    float[][] vectors = new float[p][];
    int[] identity = new int[p];
    boolean[] noisy = new boolean[p];
    for (int i = 0; i < p; i++) {
      Embedding e = probeList.get(i);
      vectors[i] = new float[e.getVectorCount()];
      for (int j = 0; j < vectors[i].length; j++) {
        vectors[i][j] = e.getVector(j);
      }
      if (vectors[i].length != vectors[0].length) {
        throw new CodecException(probesDir.toString(), "probe " + e.getId() + " has dimension " + vectors[i].length + ", not " + vectors[0].length);
      }
      identity[i] = (int) e.getLabel();
      noisy[i] = o.getNoiseCleaning() && e.getNoisy();
    }
    MegaFaceProtocol.Probes cleaned = MegaFaceProtocol.cleanProbes(vectors, identity, noisy);
    int[] sizes = Arrays.stream(o.getSizes().split(",")).map(String::strip).filter(s -> !s.isEmpty()).mapToInt(Integer::parseInt).toArray();
    double[] fars = Arrays.stream(o.getFar().split(",")).map(String::strip).filter(s -> !s.isEmpty()).mapToDouble(Double::parseDouble).toArray();
    double maxFar = Arrays.stream(fars).max().orElse(0);
    int[] keep = new int[sizes.length];
    for (int s = 0; s < sizes.length; s++) {
      keep[s] = (int) Math.min(Integer.MAX_VALUE - 8, Math.min((long) p * sizes[s], (long) Math.floor(maxFar * p * sizes[s]) + 64));
    }
    List<String> shards = dm.getShardsList().stream().map(s -> distractorsDir.resolve(s).toAbsolutePath().toString()).toList();
    StageOutput out = StageOutput.begin(Path.of(o.getOutput()));
    try {
      Stages.runToCompletion(o, new MegaFaceJob(shards,
          new ScoreDistractors(cleaned.vectors(), sizes, o.getTopK(), keep, o.getBlockSize()), o.getNoiseCleaning(),
          out.work().toString()), "MegaFace");
      var counts = Stages.read(out.work());
      DistractorScores scores;
      try (ObjectInputStream in = new ObjectInputStream(Files.newInputStream(out.work().resolve(SCORES)))) {
        scores = (DistractorScores) in.readObject();
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(e);
      }
      Files.delete(out.work().resolve(SCORES));
      List<MegaFaceProtocol.Trial> trials = MegaFaceProtocol.trials(cleaned.vectors(), identity);
      List<SizeReport> reports = new ArrayList<>();
      for (int s = 0; s < sizes.length; s++) {
        MegaFaceProtocol.Identification id = MegaFaceProtocol.identify(trials, scores.topPerProbe(s), o.getTopK());
        long impostors = (long) p * scores.distractors(s);
        List<MegaFaceProtocol.TarAtFar> tars = new ArrayList<>();
        for (double f : fars) {
          tars.add(MegaFaceProtocol.tarAtFar(trials, scores.topImpostors(s), impostors, f));
        }
        reports.add(new SizeReport(sizes[s], scores.distractors(s), id.trials(), id.correct(), id.rank1(), id.cmc(), tars));
      }
      long identities = Arrays.stream(identity).distinct().count();
      Result result = new Result(reports, p, (int) identities, cleaned.replaced(), counts.getOrDefault("noisy", 0L));
      writeReports(out.work(), result, o);
      StageManifest.Builder m = Stages.manifest("megaface", o.getDistractors(), counts.getOrDefault("distractors", 0L),
          counts.getOrDefault("distractors", 0L), 0, o).setFormat("megaface").setIdentities(identities);
      m.putParameters("noise_cleaning", Boolean.toString(o.getNoiseCleaning()));
      m.putParameters("probes", Integer.toString(p));
      m.putParameters("rank1_tie_rule", "correct when genuine score >= best distractor score");
      Stages.digestOutputs(out.work(), m);
      out.commit(m.build());
      return result;
    } catch (IOException e) {
      out.abort();
      throw new UncheckedIOException(e);
    } catch (RuntimeException | Error e) {
      out.abort();
      throw e;
    }
  }

  private static void writeReports(Path dir, Result r, MegaFaceOptions o) throws IOException {
    StringBuilder json = new StringBuilder("{\n  \"probes\": " + r.probes() + ",\n  \"identities\": " + r.identities()
        + ",\n  \"noise_cleaning\": {\"on\": " + o.getNoiseCleaning() + ", \"probes_replaced\": " + r.probesReplaced()
        + ", \"distractors_dropped\": " + (o.getNoiseCleaning() ? r.noisyDistractors() : 0) + "},\n"
        + "  \"scores\": \"cosine of L2-normalised embeddings\",\n  \"rank1_tie_rule\": " + Json.quote("genuine >= best distractor") + ",\n  \"sizes\": [\n");
    StringBuilder md = new StringBuilder("# MegaFace identification\n\n" + r.probes() + " probes of " + r.identities()
        + " identities; noise cleaning " + (o.getNoiseCleaning() ? "on (" + r.probesReplaced() + " probes replaced, "
        + r.noisyDistractors() + " distractors dropped)" : "off") + ".\n\n| distractors | trials | correct | rank-1 |");
    for (double f : Arrays.stream(o.getFar().split(",")).map(String::strip).mapToDouble(Double::parseDouble).toArray()) {
      md.append(" TAR@FAR=").append(f).append(" |");
    }
    md.append("\n| ---: | ---: | ---: | ---: |").append(" ---: |".repeat(r.sizes().get(0).tarAtFar().size())).append('\n');
    XYChart chart = new XYChartBuilder().width(640).height(480).title("CMC").xAxisTitle("Rank").yAxisTitle("Identification rate").build();
    for (int i = 0; i < r.sizes().size(); i++) {
      SizeReport s = r.sizes().get(i);
      json.append("    {\"size\": ").append(s.size()).append(", \"distractors\": ").append(s.distractors())
          .append(", \"probes\": ").append(r.probes()).append(", \"identities\": ").append(r.identities())
          .append(", \"trials\": ").append(s.trials()).append(", \"correct\": ").append(s.correct())
          .append(", \"rank1\": ").append(num(s.rank1())).append(", \"cmc\": ").append(array(s.cmc())).append(", \"tar_at_far\": {");
      md.append("| ").append(s.distractors()).append(" | ").append(s.trials()).append(" | ").append(s.correct())
          .append(" | ").append(String.format(Locale.ROOT, "%.4f", s.rank1())).append(" |");
      for (int f = 0; f < s.tarAtFar().size(); f++) {
        MegaFaceProtocol.TarAtFar t = s.tarAtFar().get(f);
        json.append(f == 0 ? "" : ", ").append(Json.quote(Double.toString(t.targetFar()))).append(": {\"tar\": ").append(num(t.tar()))
            .append(", \"far\": ").append(num(t.far())).append(", \"threshold\": ").append(num(t.threshold())).append("}");
        md.append(String.format(Locale.ROOT, " %.4f (FAR %.2e) |", t.tar(), t.far()));
      }
      json.append("}}").append(i < r.sizes().size() - 1 ? ",\n" : "\n");
      md.append('\n');
      double[] ranks = new double[s.cmc().length];
      for (int k = 0; k < ranks.length; k++) {
        ranks[k] = k + 1;
      }
      chart.addSeries(s.distractors() + " distractors", ranks, s.cmc());
      Files.writeString(dir.resolve("cmc_facescrub_megaface_" + o.getAlgo() + "_" + s.size() + "_1.json"), devkitCmc(s), StandardCharsets.UTF_8);
    }
    json.append("  ]\n}\n");
    Files.writeString(dir.resolve("report.json"), json.toString(), StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("report.md"), md.toString(), StandardCharsets.UTF_8);
    System.setProperty("java.awt.headless", "true");
    BitmapEncoder.saveBitmap(chart, dir.resolve("cmc.png").toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  /** The devkit's sparse CMC (spec §4.8): 0-based ranks where the rate changes, ending at (size, 1.0). */
  static String devkitCmc(SizeReport s) {
    List<Double> ranks = new ArrayList<>();
    List<Double> rates = new ArrayList<>();
    double last = -1;
    for (int k = 0; k < s.cmc().length; k++) {
      if (s.cmc()[k] != last) {
        ranks.add((double) k);
        rates.add(s.cmc()[k]);
        last = s.cmc()[k];
      }
    }
    if (last != 1.0) {
      ranks.add((double) s.distractors());
      rates.add(1.0);
    }
    return "{\"cmc\": [" + array(ranks.stream().mapToDouble(Double::doubleValue).toArray()) + ", "
        + array(rates.stream().mapToDouble(Double::doubleValue).toArray()) + "]}\n";
  }

  private static String num(double v) {
    return Double.isFinite(v) ? Double.toString(v) : "null";
  }

  private static String array(double[] v) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < v.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(num(v[i]));
    }
    return sb.append("]").toString();
  }
}
