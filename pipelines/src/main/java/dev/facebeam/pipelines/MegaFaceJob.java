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
import dev.facebeam.transforms.ReadDevkitFeatures;
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
  private final PTransform<PBegin, PCollection<Embedding>> distractorSource;
  private final ScoreDistractors scoring;
  private final boolean cleaning;
  private final String workDir;

  MegaFaceJob(PTransform<PBegin, PCollection<Embedding>> distractorSource, ScoreDistractors scoring, boolean cleaning, String workDir) {
    this.distractorSource = distractorSource;
    this.scoring = scoring;
    this.cleaning = cleaning;
    this.workDir = workDir;
  }

  @Override
  public PDone expand(PBegin begin) {
    PCollection<Embedding> distractors = begin.apply("ReadDistractors", distractorSource)
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

  public record Result(List<SizeReport> sizes, int probes, int identities, int probesReplaced, long noisyDistractors,
      long noiseEntriesNotInLists) {}

  /** The probe set as read: vectors (unit rows), identities, noise flags. */
  record ProbeSet(float[][] vectors, int[] identity, boolean[] noisy) {}

  public static Result run(MegaFaceOptions o) {
    boolean devkit = o.getFacescrubList() != null;
    ProbeSet probes;
    PTransform<PBegin, PCollection<Embedding>> source;
    long noiseNotInLists = 0;
    if (devkit) {
      for (String[] req : new String[][] {{"megafaceList", o.getMegafaceList()}, {"facescrubFeatures", o.getFacescrubFeatures()},
          {"megafaceFeatures", o.getMegafaceFeatures()}}) {
        if (req[1] == null) {
          throw new CodecException("--" + req[0], "devkit input needs --facescrubList, --megafaceList, --facescrubFeatures and --megafaceFeatures");
        }
      }
      java.util.HashSet<String> probeNoise = noiseSet(o.getFacescrubNoises(), false);
      java.util.HashSet<String> distractorNoise = noiseSet(o.getMegafaceNoises(), true);
      DevkitProbes dp = devkitProbes(o, probeNoise);
      probes = dp.probes();
      noiseNotInLists = dp.noiseNotInList() + notInList(Path.of(o.getMegafaceList()), distractorNoise);
      source = new ReadDevkitFeatures(o.getMegafaceList(), o.getMegafaceFeatures(), o.getAlgo(), distractorNoise, o.getSkipMissing());
    } else {
      if (o.getProbes() == null || o.getDistractors() == null) {
        throw new CodecException("megaface", "give --probes and --distractors (embed outputs), or the devkit inputs (--facescrubList, …)");
      }
      probes = embeddedProbes(Path.of(o.getProbes()), o.getNoiseCleaning());
      Path distractorsDir = Path.of(o.getDistractors());
      StageManifest dm = StageOutput.requireManifest(distractorsDir);
      source = ReadStageShards.of(dm.getShardsList().stream().map(s -> distractorsDir.resolve(s).toAbsolutePath().toString()).toList(),
          Embedding.class);
    }
    float[][] vectors = probes.vectors();
    int[] identity = probes.identity();
    boolean[] noisy = probes.noisy();
    int p = vectors.length;
    if (!o.getNoiseCleaning()) {
      noisy = new boolean[p];
    }
    MegaFaceProtocol.Probes cleaned = MegaFaceProtocol.cleanProbes(vectors, identity, noisy);
    int[] sizes = Arrays.stream(o.getSizes().split(",")).map(String::strip).filter(s -> !s.isEmpty()).mapToInt(Integer::parseInt).toArray();
    double[] fars = Arrays.stream(o.getFar().split(",")).map(String::strip).filter(s -> !s.isEmpty()).mapToDouble(Double::parseDouble).toArray();
    double maxFar = Arrays.stream(fars).max().orElse(0);
    int[] keep = new int[sizes.length];
    for (int s = 0; s < sizes.length; s++) {
      keep[s] = (int) Math.min(Integer.MAX_VALUE - 8, Math.min((long) p * sizes[s], (long) Math.floor(maxFar * p * sizes[s]) + 64));
    }
    StageOutput out = StageOutput.begin(Path.of(o.getOutput()));
    try {
      Stages.runToCompletion(o, new MegaFaceJob(source,
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
      Result result = new Result(reports, p, (int) identities, cleaned.replaced(), counts.getOrDefault("noisy", 0L), noiseNotInLists);
      writeReports(out.work(), result, o);
      StageManifest.Builder m = Stages.manifest("megaface", devkit ? o.getMegafaceList() : o.getDistractors(), counts.getOrDefault("distractors", 0L),
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

  private static ProbeSet embeddedProbes(Path probesDir, boolean cleaning) {
    StageManifest pm = StageOutput.requireManifest(probesDir);
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
      noisy[i] = cleaning && e.getNoisy();
    }
    return new ProbeSet(vectors, identity, noisy);
  }

  record DevkitProbes(ProbeSet probes, long noiseNotInList) {}

  /** facescrub_lst + <person>/<file>_<algo>.bin; labels are persons in sorted order. */
  private static DevkitProbes devkitProbes(MegaFaceOptions o, java.util.Set<String> noise) {
    Path list = Path.of(o.getFacescrubList());
    List<String[]> entries = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(list, StandardCharsets.UTF_8)) {
        String[] parts = dev.facebeam.codec.pack.MegaFacePack.tail(line.strip(), 2);
        if (parts != null) {
          entries.add(parts);
        }
      }
    } catch (IOException e) {
      throw new CodecException(list.toString(), "cannot read: " + e.getMessage(), e);
    }
    java.util.TreeSet<String> persons = new java.util.TreeSet<>();
    entries.forEach(e -> persons.add(e[0]));
    List<String> order = new ArrayList<>(persons);
    List<float[]> vectors = new ArrayList<>();
    List<Integer> ids = new ArrayList<>();
    List<Boolean> noisy = new ArrayList<>();
    java.util.Set<String> files = new java.util.HashSet<>();
    for (String[] e : entries) {
      files.add(e[1]);
      Path f = Path.of(o.getFacescrubFeatures(), e[0], dev.facebeam.codec.export.DevkitFeature.fileName(e[1], o.getAlgo()));
      if (!Files.isRegularFile(f)) {
        if (o.getSkipMissing()) {
          continue;
        }
        throw new CodecException(f.toString(), "probe feature file missing (pass --skipMissing to count and skip)");
      }
      float[] v = ReadDevkitFeatures.readUnit(f);
      if (!vectors.isEmpty() && v.length != vectors.get(0).length) {
        throw new CodecException(f.toString(), "feature of dimension " + v.length + ", others have " + vectors.get(0).length);
      }
      vectors.add(v);
      ids.add(order.indexOf(e[0]));
      noisy.add(noise.contains(e[1]));
    }
    if (vectors.isEmpty()) {
      throw new CodecException(list.toString(), "no probe features");
    }
    boolean[] n = new boolean[noisy.size()];
    for (int i = 0; i < n.length; i++) {
      n[i] = noisy.get(i);
    }
    long notInList = noise.stream().filter(x -> !files.contains(x)).count();
    return new DevkitProbes(new ProbeSet(vectors.toArray(new float[0][]), ids.stream().mapToInt(Integer::intValue).toArray(), n), notInList);
  }

  /** remove_noises.py's reading: '#' lines skipped, a tab-separated line's second field is the key. */
  private static java.util.HashSet<String> noiseSet(String file, boolean distractors) {
    java.util.HashSet<String> set = new java.util.HashSet<>();
    if (file == null) {
      return set;
    }
    try {
      for (String line : Files.readAllLines(Path.of(file), StandardCharsets.UTF_8)) {
        String s = line.strip();
        if (s.isEmpty() || s.startsWith("#")) {
          continue;
        }
        set.add(s.contains("\t") ? s.split("\t")[1].strip() : s);
      }
    } catch (IOException e) {
      throw new CodecException(file, "cannot read noise list: " + e.getMessage(), e);
    }
    return set;
  }

  private static long notInList(Path megafaceList, java.util.Set<String> noise) {
    if (noise.isEmpty()) {
      return 0;
    }
    java.util.Set<String> rels = new java.util.HashSet<>();
    try (var lines = Files.lines(megafaceList, StandardCharsets.UTF_8)) {
      lines.forEach(l -> {
        String[] parts = dev.facebeam.codec.pack.MegaFacePack.tail(l.strip(), 3);
        if (parts != null) {
          rels.add(String.join("/", parts));
        }
      });
    } catch (IOException e) {
      throw new CodecException(megafaceList.toString(), "cannot read: " + e.getMessage(), e);
    }
    return noise.stream().filter(x -> !rels.contains(x)).count();
  }

  private static void writeReports(Path dir, Result r, MegaFaceOptions o) throws IOException {
    StringBuilder json = new StringBuilder("{\n  \"probes\": " + r.probes() + ",\n  \"identities\": " + r.identities()
        + ",\n  \"noise_cleaning\": {\"on\": " + o.getNoiseCleaning() + ", \"probes_replaced\": " + r.probesReplaced()
        + ", \"distractors_dropped\": " + (o.getNoiseCleaning() ? r.noisyDistractors() : 0)
        + ", \"noise_entries_not_in_lists\": " + r.noiseEntriesNotInLists() + "},\n"
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
          .append(", \"rank1\": ").append(Json.number(s.rank1())).append(", \"cmc\": ").append(Json.array(s.cmc())).append(", \"tar_at_far\": {");
      md.append("| ").append(s.distractors()).append(" | ").append(s.trials()).append(" | ").append(s.correct())
          .append(" | ").append(String.format(Locale.ROOT, "%.4f", s.rank1())).append(" |");
      for (int f = 0; f < s.tarAtFar().size(); f++) {
        MegaFaceProtocol.TarAtFar t = s.tarAtFar().get(f);
        json.append(f == 0 ? "" : ", ").append(Json.quote(Double.toString(t.targetFar()))).append(": {\"tar\": ").append(Json.number(t.tar()))
            .append(", \"far\": ").append(Json.number(t.far())).append(", \"threshold\": ").append(Json.number(t.threshold())).append("}");
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
    return "{\"cmc\": [" + Json.array(ranks.stream().mapToDouble(Double::doubleValue).toArray()) + ", "
        + Json.array(rates.stream().mapToDouble(Double::doubleValue).toArray()) + "]}\n";
  }

}
