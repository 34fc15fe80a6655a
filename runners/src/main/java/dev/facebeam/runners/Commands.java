package dev.facebeam.runners;

import dev.facebeam.pipelines.embed.EmbedOptions;
import dev.facebeam.pipelines.embed.EmbedPipeline;
import dev.facebeam.pipelines.evaluate.EvaluateJob;
import dev.facebeam.pipelines.evaluate.EvaluateOptions;
import dev.facebeam.pipelines.ijb.IjbJob;
import dev.facebeam.pipelines.ijb.IjbOptions;
import dev.facebeam.pipelines.ingest.IngestOptions;
import dev.facebeam.pipelines.ingest.IngestPipeline;
import dev.facebeam.pipelines.megaface.MegaFaceJob;
import dev.facebeam.pipelines.megaface.MegaFaceOptions;
import dev.facebeam.pipelines.pack.PackJob;
import dev.facebeam.pipelines.pack.PackOptions;
import dev.facebeam.pipelines.verify.VerifyJob;
import dev.facebeam.pipelines.verify.VerifyOptions;
import dev.facebeam.proto.StageManifest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The commands facebeam offers. */
final class Commands {
  private Commands() {}

  /** The manifest's warnings (property or header mismatch, ignored files …), one console line each, not only in manifest.json. */
  static String warnings(StageManifest m) {
    StringBuilder sb = new StringBuilder();
    for (String w : m.getWarningsList()) {
      sb.append("\nwarning: ").append(w);
    }
    return sb.toString();
  }

  static Map<String, Command> all() {
    Map<String, Command> cmds = new LinkedHashMap<>();
    cmds.put("ingest", new Command("ingest",
        "Read a pack (.rec, .bin, MegaFace, .lst, identity folders), decode and align every face to 112x112, "
            + "write sharded face records, rejects.jsonl and manifest.json",
        IngestOptions.class, o -> {
          IngestPipeline.Result r = IngestPipeline.run(o.as(IngestOptions.class));
          StageManifest m = r.manifest();
          return String.format("ingest %s: read %d, written %d, rejected %d, identities %d%s -> %s",
              m.getFormat(), m.getRead(), m.getWritten(), m.getRejected(), m.getIdentities(),
              m.getPairs() > 0 ? ", pairs " + m.getPairs() : "", r.output()) + warnings(m);
        }, true));
    cmds.put("embed", new Command("embed",
        "Embed ingested faces with a TorchScript, DJL-native or ONNX model: flip fusion, batching, CPU or GPU; "
            + "optional NumPy and MegaFace devkit exports",
        EmbedOptions.class, o -> {
          EmbedPipeline.Result r = EmbedPipeline.run(o.as(EmbedOptions.class));
          StageManifest m = r.manifest();
          return String.format("embed %s with %s (%s-d, %s): read %d, written %d, rejected %d -> %s",
              m.getFormat(), m.getParametersOrDefault("model_name", "?"), m.getParametersOrDefault("embedding_size", "?"),
              m.getParametersOrDefault("engine", "?"), m.getRead(), m.getWritten(), m.getRejected(), r.output()) + warnings(m);
        }, true));
    cmds.put("verify", new Command("verify",
        "InsightFace's 10-fold verification of an embedded .bin pack: report.json, report.md, roc.png",
        VerifyOptions.class, o -> {
          VerifyOptions v = o.as(VerifyOptions.class);
          return VerifyJob.logLines(VerifyJob.run(v)).stripTrailing() + stored(v, v.getOutput());
        }, false));
    cmds.put("evaluate", new Command("evaluate",
        "ingest -> embed -> verify for every <target>.bin of a dataset folder, then the results table",
        EvaluateOptions.class, o -> {
          EvaluateOptions e = o.as(EvaluateOptions.class);
          EvaluateJob.Result r = EvaluateJob.run(e);
          return java.nio.file.Files.readString(r.table()).stripTrailing()
              + (r.missing().isEmpty() ? "" : "\nmissing targets (no <target>.bin): " + String.join(", ", r.missing()))
              + stored(e, e.getOutput());
        }, true));
    cmds.put("megaface", new Command("megaface",
        "MegaFace identification over embed outputs, devkit feature files or NumPy matrices: blockwise scoring, noise cleaning, rank-1, CMC, TAR@FAR",
        MegaFaceOptions.class, o -> {
          MegaFaceOptions mo = o.as(MegaFaceOptions.class);
          MegaFaceJob.Result r = MegaFaceJob.run(mo);
          StringBuilder sb = new StringBuilder(String.format("megaface: %d probes of %d identities, %d probes replaced, %d noisy distractors",
              r.probes(), r.identities(), r.probesReplaced(), r.noisyDistractors()));
          for (MegaFaceJob.SizeReport s : r.sizes()) {
            sb.append(String.format(java.util.Locale.ROOT, "%n  size %d, %d distractors scored: rank-1 %.5f (%d/%d)", s.size(),
                s.distractors(), s.rank1(), s.correct(), s.trials()));
          }
          if (!r.sizesLeftOut().isEmpty()) {
            sb.append(String.format("%n  sizes above the %d distractors in the lists left out: %s", r.distractorsRead() + r.distractorsMissing(),
                r.sizesLeftOut().stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", "))));
          }
          return sb.append(stored(mo, mo.getOutput())).toString();
        }, true));
    cmds.put("ijb", new Command("ijb",
        "IJB-B / IJB-C template evaluation from image features: the 1:1 TAR@FAR table exactly as InsightFace's eval_ijbc.py, "
            + "AUC, 1:N top-k and TPIR as ijb_1n.py; report.json, report.md, scores.npy, roc.png",
        IjbOptions.class, o -> {
          IjbOptions i = o.as(IjbOptions.class);
          if (i.getScoresNpy() != null) {
            return IjbJob.compare(dev.facebeam.pipelines.ijb.IjbParams.of(i), i).markdown().stripTrailing();
          }
          return IjbJob.run(i).markdown().stripTrailing() + stored(i, i.getOutput());
        }, false));
    cmds.put("run", new Command("run",
        "An evaluation from a config, staged in a work folder: ingest -> embed -> verify per target, unchanged stages skipped, report.md/html",
        dev.facebeam.pipelines.run.RunOptions.class, o -> {
          dev.facebeam.pipelines.run.RunOptions ro = o.as(dev.facebeam.pipelines.run.RunOptions.class);
          dev.facebeam.pipelines.run.RunJob.Result r = dev.facebeam.pipelines.run.RunJob.run(ro, System.out);
          return r.summary().stripTrailing()
              + String.format("%n%nran %d stage outputs, skipped %d unchanged; report: %s (and report.html)", r.ran().size(),
                  r.skipped().size(), r.report()) + stored(ro, ro.getWorkdir());
        }, true));
    cmds.put("results", new Command("results",
        "The results store as one table (models x benchmarks, as InsightFace prints it), --compare=A,B side by side,"
            + " --report=DIR for report.html with ROC curves on a log FAR axis",
        dev.facebeam.pipelines.results.ShowResultsOptions.class,
        o -> dev.facebeam.pipelines.results.ShowResults.run(o.as(dev.facebeam.pipelines.results.ShowResultsOptions.class)).stripTrailing(), false));
    cmds.put("train", new Command("train",
        "Train a face-recognition network (ResNet-IR, MobileFaceNet, MNasNet; softmax, ArcFace, CosFace, combined, triplet) on an InsightFace dataset folder",
        dev.facebeam.train.TrainOptions.class, o -> {
          dev.facebeam.train.TrainOptions t = o.as(dev.facebeam.train.TrainOptions.class);
          dev.facebeam.train.TrainConfig c = dev.facebeam.train.TrainConfig.load(java.nio.file.Path.of(t.getConfig()),
              dev.facebeam.train.TrainConfig.overrides(t.getOverrides()));
          dev.facebeam.train.TrainJob.Result r = dev.facebeam.train.TrainJob.run(c, java.nio.file.Path.of(t.getDataset()),
              java.nio.file.Path.of(t.getOutput()), System.out);
          return String.format(java.util.Locale.ROOT, "train: %d steps in %.1f s, last loss %.5f, %.1f s waiting for data; model: %s",
              r.steps(), r.seconds(), r.lastLoss(), r.secondsWaitingForData(), r.model() == null ? "none saved (ckpt 0)" : r.model());
        }, false));
    cmds.put("lr-probe", new Command("lr-probe",
        "Short training runs at several learning rates; recommends the one whose verification accuracy rises fastest",
        dev.facebeam.train.LrProbeOptions.class, o -> {
          dev.facebeam.train.LrProbeOptions t = o.as(dev.facebeam.train.LrProbeOptions.class);
          List<Double> lrs = dev.facebeam.config.Options.list(t.getLrs()).stream().map(Double::parseDouble).toList();
          dev.facebeam.train.LrProbe.Result r = dev.facebeam.train.LrProbe.run(java.nio.file.Path.of(t.getConfig()),
              java.nio.file.Path.of(t.getDataset()), java.nio.file.Path.of(t.getOutput()), lrs, t.getSteps(),
              dev.facebeam.train.TrainConfig.overrides(t.getOverrides()), System.out);
          return java.nio.file.Files.readString(r.report()).stripTrailing();
        }, false));
    cmds.put("export", new Command("export",
        "A checkpoint of train's networks as an ONNX graph or a TorchScript archive (FILE.onnx or FILE.pt; dynamic batch,"
            + " preprocessing in the file); written only when ONNX Runtime's or libtorch's embeddings match DJL's"
            + " (cosine >= 0.99999, max |d|/|e| <= 1e-4)",
        dev.facebeam.pipelines.export.ExportOptions.class, o -> {
          dev.facebeam.export.CheckpointExport.Result r = dev.facebeam.pipelines.export.ExportJob.run(
              o.as(dev.facebeam.pipelines.export.ExportOptions.class), System.out);
          return String.format(java.util.Locale.ROOT, "export %s (checkpoint %s…): %,d bytes -> %s%nparity: %s", r.network(),
              r.checkpointSha256().substring(0, 12), r.bytes(), r.output(), r.parity());
        }, false));
    cmds.put("pack", new Command("pack",
        "Write a .rec/.idx/property (InsightFace layout) or a verification .bin from any readable pack",
        PackOptions.class, o -> {
          PackOptions p = o.as(PackOptions.class);
          PackJob.Result r = PackJob.run(p);
          return String.format("pack: read %d faces, rejected %d; wrote %d images%s -> %s", r.read(), r.rejected(),
              r.imagesWritten(), r.pairs() > 0 ? " in " + r.pairs() + " pairs" : " of " + r.identities() + " identities", p.getOutput());
        }, false));
    cmds.put("bench-decode", new Command("bench-decode",
        "Benchmark: decode throughput of a .rec of real 112x112 JPEGs against a plain ImageIO loop (not a test)",
        DecodeBenchmark.Options.class, o -> DecodeBenchmark.run(o.as(DecodeBenchmark.Options.class)), false));
    cmds.put("bench-embed", new Command("bench-embed",
        "Benchmark: embedding throughput against the raw DJL forward loop, and memory over a long run (not a test)",
        EmbedBenchmark.Options.class, o -> EmbedBenchmark.run(o.as(EmbedBenchmark.Options.class)), false));
    cmds.put("bench-megaface", new Command("bench-megaface",
        "Benchmark: the megaface stage on synthetic 512-d features against the raw DJL matrix product (not a test)",
        MegaFaceBenchmark.Options.class, o -> MegaFaceBenchmark.run(o.as(MegaFaceBenchmark.Options.class)), false));
    cmds.put("bench-train", new Command("bench-train",
        "Benchmark: training samples/s on real JPEG records and the share of time waiting for data (not a test)",
        TrainBenchmark.Options.class, o -> TrainBenchmark.run(o.as(TrainBenchmark.Options.class)), false));
    return cmds;
  }

  /** Where the numbers went: the results store the command added to (docs/results.md). */
  private static String stored(dev.facebeam.pipelines.results.ResultsOptions o, String output) {
    String store = o.getResults() != null ? o.getResults() : dev.facebeam.results.ResultsStore.besides(output);
    return "\nresults store: " + java.nio.file.Path.of(store).toAbsolutePath().normalize()
        + " (java -jar facebeam.jar results --results=" + store + ")";
  }
}
