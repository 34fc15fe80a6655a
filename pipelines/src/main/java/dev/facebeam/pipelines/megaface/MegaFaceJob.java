package dev.facebeam.pipelines.megaface;

import dev.facebeam.UserInputException;
import dev.facebeam.codec.features.DistractorSlice;
import dev.facebeam.io.Digests;
import dev.facebeam.io.Json;
import dev.facebeam.io.OutputGuard;
import dev.facebeam.io.StageOutput;
import dev.facebeam.metrics.DistractorScores;
import dev.facebeam.metrics.MegaFaceProtocol;
import dev.facebeam.pipelines.figures.Charts;
import dev.facebeam.pipelines.results.StoreRecords;
import dev.facebeam.pipelines.stage.EngineSlots;
import dev.facebeam.pipelines.stage.StageLayout;
import dev.facebeam.pipelines.stage.StagePaths;
import dev.facebeam.pipelines.stage.Stages;
import dev.facebeam.proto.StageManifest;
import dev.facebeam.results.ResultsStore;
import dev.facebeam.transforms.ScoreDistractors;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PDone;

/**
 * MegaFace identification (docs/megaface.md, docs/decisions.md): probes (3,530 at most) are read in the
 * driver and go to every worker; distractor slices (embed shards, devkit list lines or NumPy rows)
 * are read by workers straight into blocks and scored by {@link ScoreDistractors}; the driver turns
 * the surviving top scores into rank-1, CMC and TAR@FAR per distractor-set size.
 */
public final class MegaFaceJob extends PTransform<PBegin, PDone> {
  private static final String SCORES = "_scores.ser";
  private final List<DistractorSlice> slices;
  private final ScoreDistractors scoring;
  private final String workDir;

  MegaFaceJob(List<DistractorSlice> slices, ScoreDistractors scoring, String workDir) {
    this.slices = slices;
    this.scoring = scoring;
    this.workDir = workDir;
  }

  @Override
  public PDone expand(PBegin begin) {
    begin.apply("DistractorSlices", Create.of(slices).withCoder(SerializableCoder.of(DistractorSlice.class)))
        .apply("Score", scoring)
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

  /** The command line's megaface: its options made into parameters once. */
  public static MegaFaceResult run(MegaFaceOptions options) {
    MegaFaceParams params = params(options);
    ResultsStore store = StoreRecords.store(options, params.output(), params.inputs().paths());
    MegaFaceResult r = run(params, options);
    store.put(MegaFaceReport.record(params.output()));
    return r;
  }

  /** The command line's options as parameters: the one input form given and the protocol, checked. */
  public static MegaFaceParams params(MegaFaceOptions o) {
    boolean devkit = o.getFacescrubList() != null || o.getMegafaceList() != null;
    boolean npy = o.getProbesNpy() != null || o.getDistractorsNpy() != null;
    boolean embedded = o.getProbes() != null || o.getDistractors() != null;
    if ((devkit ? 1 : 0) + (npy ? 1 : 0) + (embedded ? 1 : 0) != 1) {
      throw new UserInputException("megaface", "give exactly one input form: --probes/--distractors (embed outputs), "
          + "--facescrubList/--megafaceList/--facescrubFeatures/--megafaceFeatures (devkit), or "
          + "--probesNpy/--probesList/--distractorsNpy/--distractorsList (NumPy)");
    }
    MegaFaceParams.Noise noise = new MegaFaceParams.Noise(given(o.getFacescrubNoises()), given(o.getMegafaceNoises()));
    MegaFaceParams.Inputs inputs;
    if (devkit) {
      require("devkit", new String[][] {{"facescrubList", o.getFacescrubList()}, {"megafaceList", o.getMegafaceList()},
          {"facescrubFeatures", o.getFacescrubFeatures()}, {"megafaceFeatures", o.getMegafaceFeatures()}});
      inputs = new MegaFaceParams.Devkit(given(o.getFacescrubList()), given(o.getMegafaceList()), given(o.getFacescrubFeatures()),
          given(o.getMegafaceFeatures()), noise, o.getSkipMissing());
    } else if (npy) {
      require("NumPy", new String[][] {{"probesNpy", o.getProbesNpy()}, {"probesList", o.getProbesList()},
          {"distractorsNpy", o.getDistractorsNpy()}, {"distractorsList", o.getDistractorsList()}});
      inputs = new MegaFaceParams.Numpy(given(o.getProbesNpy()), given(o.getProbesList()), given(o.getDistractorsNpy()),
          given(o.getDistractorsList()), noise);
    } else {
      require("embed-output", new String[][] {{"probes", o.getProbes()}, {"distractors", o.getDistractors()}});
      inputs = new MegaFaceParams.Embedded(given(o.getProbes()), given(o.getDistractors()));
    }
    return new MegaFaceParams(inputs, Path.of(o.getOutput()), MegaFaceParams.Protocol.of(o.getSizes(), o.getFar(), o.getTopK(),
        o.getNoiseCleaning(), o.getBlockSize(), o.getAlgo()));
  }

  /** Every option of an input form given, or an error naming the first one missing and all the form needs. */
  private static void require(String form, String[][] options) {
    for (String[] r : options) {
      if (r[1] == null) {
        throw new UserInputException("--" + r[0], "the " + form + " input form needs --"
            + String.join(", --", Arrays.stream(options).map(x -> x[0]).toList()));
      }
    }
  }

  /** One embed output as both probes and distractors (a MegaFace pack ingested whole), as {@code run} scores it. */
  public static MegaFaceParams ofEmbedded(Path embeddings, Path output, String sizes, String far, int topK) {
    return new MegaFaceParams(new MegaFaceParams.Embedded(embeddings, embeddings), output,
        MegaFaceParams.Protocol.of(sizes, far, topK, true, MegaFaceOptions.BLOCK_SIZE, MegaFaceOptions.ALGO));
  }

  private static Path given(String path) {
    return StagePaths.given(path);
  }

  /** Scores probes against distractors on {@code runner} and commits the reports; throws with a clear message on failure. */
  public static MegaFaceResult run(MegaFaceParams params, PipelineOptions runner) {
    MegaFaceParams.Protocol o = params.protocol();
    Path target = OutputGuard.folder("--output", params.output().toString(), "megaface", params.inputs().paths());
    MegaFaceInputs in = MegaFaceInputs.of(params.inputs(), o.algo());
    MegaFaceInputs.Probes probes = in.probes();
    int p = probes.vectors().length;
    boolean[] noisy = o.noiseCleaning() ? probes.noisy() : new boolean[p];
    MegaFaceProtocol.Probes cleaned = MegaFaceProtocol.cleanProbes(probes.vectors(), probes.identity(), noisy);
    int[] sizes = o.sizeArray();
    double[] fars = o.farArray();
    double maxFar = Arrays.stream(fars).max().orElse(0);
    int[] keep = new int[sizes.length];
    for (int s = 0; s < sizes.length; s++) {
      keep[s] = (int) Math.min(Integer.MAX_VALUE - 8, Math.min((long) p * sizes[s], (long) Math.floor(maxFar * p * sizes[s]) + 64));
    }
    MegaFaceResult[] result = new MegaFaceResult[1];
    dev.facebeam.embed.OnnxRuntimeLibrary.environment(); // the native library loaded before any worker can fail
    Stages.commit(target, "megaface", out -> {
      Stages.runToCompletion(runner, new MegaFaceJob(in.slices(),
          new ScoreDistractors(cleaned.vectors(), sizes, o.topK(), keep, o.blockSize(), in.distractorNoise(), o.noiseCleaning(),
              EngineSlots.of(runner).threads()),
          out.work().toString()), "MegaFace", out.target());
      DistractorScores scores;
      try (ObjectInputStream ois = new ObjectInputStream(Files.newInputStream(out.work().resolve(SCORES)))) {
        scores = (DistractorScores) ois.readObject();
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(e);
      }
      Files.delete(out.work().resolve(SCORES));
      List<MegaFaceProtocol.Trial> trials = MegaFaceProtocol.trials(cleaned.vectors(), probes.identity());
      List<MegaFaceResult.Size> reports = new ArrayList<>();
      // A size counts list entries (noisy ones dropped within it, as the devkit does). A size above the
      // entries there are would repeat the largest one under a false name: left out and reported.
      // With fewer entries than every size, the one size is all of them.
      long listed = scores.read() + scores.missing(); // entries skipped for a missing file still hold their place
      List<Integer> leftOut = new ArrayList<>();
      int largestKept = -1;
      for (int s = 0; s < sizes.length; s++) {
        if (sizes[s] > listed) {
          leftOut.add(sizes[s]);
        } else if (largestKept < 0 || sizes[s] > sizes[largestKept]) {
          largestKept = s;
        }
      }
      for (int s = 0; s < sizes.length; s++) {
        boolean onlyAll = largestKept < 0 && s == 0;
        if (sizes[s] > listed && !onlyAll) {
          continue;
        }
        int label = onlyAll ? (int) listed : sizes[s];
        MegaFaceProtocol.Identification id = MegaFaceProtocol.identify(trials, scores.topPerProbe(s), o.topK());
        long impostors = (long) p * scores.distractors(s);
        List<MegaFaceProtocol.TarAtFar> tars = new ArrayList<>();
        for (double f : fars) {
          tars.add(MegaFaceProtocol.tarAtFar(trials, scores.topImpostors(s), impostors, f));
        }
        reports.add(new MegaFaceResult.Size(label, scores.distractors(s), id.trials(), id.correct(), id.rank1(), id.cmc(), tars));
      }
      int[] perIdentity = new int[probes.names().size()];
      for (int id : probes.identity()) {
        perIdentity[id]++;
      }
      List<String> single = new ArrayList<>();
      int identities = 0;
      for (int i = 0; i < perIdentity.length; i++) {
        identities += perIdentity[i] > 0 ? 1 : 0;
        if (perIdentity[i] == 1) {
          single.add(probes.names().get(i));
        }
      }
      result[0] = new MegaFaceResult(reports, p, identities, cleaned.replaced(), scores.noisyDropped(), in.noiseNotInLists(),
          scores.read(), probes.missing(), scores.missing(), single, leftOut);
      writeReports(out.work(), result[0], o);
      long competing = scores.read() - scores.noisyDropped();
      StageManifest.Builder m = Stages.manifest("megaface", in.input(), scores.read() + scores.missing(), competing,
          scores.noisyDropped() + scores.missing(), runner).setFormat("megaface").setIdentities(identities);
      m.putParameters("noise_cleaning", Boolean.toString(o.noiseCleaning()));
      m.putParameters("probes", Integer.toString(p));
      m.putParameters("sizes", o.sizesText());
      m.putParameters("top_k", Integer.toString(o.topK()));
      m.putParameters("far", o.farText());
      m.putParameters("rank1_tie_rule", "correct when genuine score >= best distractor score");
      if (params.inputs() instanceof MegaFaceParams.Embedded e) {
        Stages.describeModel(StageOutput.readManifest(StagePaths.local(e.probes())), m);
      } else if (params.inputs() instanceof MegaFaceParams.Numpy n) {
        Stages.describeFeatures(o.algo(), Digests.sha256(n.probesNpy()), m);
      } else if (params.inputs() instanceof MegaFaceParams.Devkit d) {
        Stages.describeFeatures(o.algo(), Digests.sha256("devkit", d.facescrubFeatures().toString(), d.megafaceFeatures().toString()), m);
      }
      return m;
    });
    return result[0];
  }

  private static void writeReports(Path dir, MegaFaceResult r, MegaFaceParams.Protocol o) throws IOException {
    StringBuilder md = new StringBuilder("# MegaFace identification\n\n" + r.probes() + " probes of " + r.identities()
        + " identities; noise cleaning " + (o.noiseCleaning() ? "on (" + r.probesReplaced() + " probes replaced, "
        + r.noisyDistractors() + " distractors dropped)" : "off") + ".\n"
        + (r.probesMissing() + r.distractorsMissing() > 0 ? "\nSkipped for missing feature files (--skipMissing): " + r.probesMissing()
            + " probes, " + r.distractorsMissing() + " distractors.\n" : "")
        + (r.singleImageIdentities().isEmpty() ? "" : "\n" + r.singleImageIdentities().size()
            + " identities have a single probe image and contribute no trials: " + String.join(", ", r.singleImageIdentities()) + ".\n")
        + (r.sizesLeftOut().isEmpty() ? "" : "\nSizes above the " + (r.distractorsRead() + r.distractorsMissing()) + " distractors in the lists are left out: "
            + r.sizesLeftOut().stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", ")) + ".\n")
        + (r.noiseEntriesNotInLists() > 0 ? "\n" + r.noiseEntriesNotInLists() + " noise-list entries name nothing in the lists (ignored).\n" : "")
        + "\nA size counts the distractor list's first entries as the devkit does (its CMC file is named by it);"
        + " noisy ones among them are not scored.\n"
        + "\n| size | distractors scored | trials | correct | rank-1 |");
    for (double f : o.far()) {
      md.append(" TAR@FAR=").append(f).append(" |");
    }
    md.append("\n| ---: | ---: | ---: | ---: | ---: |").append(" ---: |".repeat(r.sizes().get(0).tarAtFar().size())).append('\n');
    List<Charts.Curve> cmc = new ArrayList<>();
    for (int i = 0; i < r.sizes().size(); i++) {
      MegaFaceResult.Size s = r.sizes().get(i);
      md.append("| ").append(s.size()).append(" | ").append(s.distractors()).append(" | ").append(s.trials()).append(" | ").append(s.correct())
          .append(" | ").append(String.format(Locale.ROOT, "%.4f", s.rank1())).append(" |");
      for (int f = 0; f < s.tarAtFar().size(); f++) {
        MegaFaceProtocol.TarAtFar t = s.tarAtFar().get(f);
        md.append(String.format(Locale.ROOT, " %.4f (FAR %.2e) |", t.tar(), t.far()));
      }
      md.append('\n');
      cmc.add(Charts.ranks("size " + s.size() + " (" + s.distractors() + " scored)", Arrays.stream(s.cmc()).boxed().toList()));
      Files.writeString(dir.resolve("cmc_facescrub_megaface_" + o.algo() + "_" + s.size() + "_1.json"), devkitCmc(s), StandardCharsets.UTF_8);
    }
    MegaFaceReport.of(r, o.noiseCleaning()).write(dir);
    Files.writeString(dir.resolve(StageLayout.REPORT_MD), md.toString(), StandardCharsets.UTF_8);
    Charts.cmc("CMC", cmc, dir.resolve("cmc"));
  }

  /** The devkit's sparse CMC (docs/megaface.md): 0-based ranks where the rate changes, ending at (size, 1.0). */
  static String devkitCmc(MegaFaceResult.Size s) {
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
