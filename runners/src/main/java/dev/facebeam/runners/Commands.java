package dev.facebeam.runners;

import dev.facebeam.pipelines.allpairs.AllPairsJob;
import dev.facebeam.pipelines.allpairs.AllPairsOptions;
import dev.facebeam.pipelines.embed.EmbedOptions;
import dev.facebeam.pipelines.embed.EmbedPipeline;
import dev.facebeam.pipelines.evaluate.EvaluateJob;
import dev.facebeam.pipelines.evaluate.EvaluateOptions;
import dev.facebeam.pipelines.export.ExportJob;
import dev.facebeam.pipelines.export.ExportOptions;
import dev.facebeam.pipelines.ijb.IjbJob;
import dev.facebeam.pipelines.ijb.IjbOptions;
import dev.facebeam.pipelines.ingest.IngestOptions;
import dev.facebeam.pipelines.ingest.IngestPipeline;
import dev.facebeam.pipelines.megaface.MegaFaceJob;
import dev.facebeam.pipelines.megaface.MegaFaceOptions;
import dev.facebeam.pipelines.pack.PackJob;
import dev.facebeam.pipelines.pack.PackOptions;
import dev.facebeam.pipelines.results.ResultsOptions;
import dev.facebeam.pipelines.results.ShowResults;
import dev.facebeam.pipelines.results.ShowResultsOptions;
import dev.facebeam.pipelines.run.RunJob;
import dev.facebeam.pipelines.run.RunOptions;
import dev.facebeam.pipelines.verify.VerifyJob;
import dev.facebeam.pipelines.verify.VerifyOptions;
import dev.facebeam.results.ResultsStore;
import dev.facebeam.runners.bench.DecodeBenchmark;
import dev.facebeam.runners.bench.EmbedBenchmark;
import dev.facebeam.runners.bench.MegaFaceBenchmark;
import dev.facebeam.runners.bench.TrainBenchmark;
import dev.facebeam.train.LrProbe;
import dev.facebeam.train.LrProbeOptions;
import dev.facebeam.train.TrainJob;
import dev.facebeam.train.TrainOptions;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptions;

/** The commands facebeam offers: one line each — name, help, options, what it runs — each result printing its own summary. */
final class Commands {
  private Commands() {}

  static Map<String, Command> all() {
    Map<String, Command> c = new LinkedHashMap<>();
    add(c, "ingest", "Read a pack (.rec, .bin, MegaFace, .lst, identity folders), decode and align every face to 112x112, "
        + "write sharded face records, rejects.jsonl and manifest.json", IngestOptions.class, true, o -> IngestPipeline.run(o).summary());
    add(c, "embed", "Embed ingested faces with a TorchScript, DJL-native or ONNX model: flip fusion, batching, CPU or GPU; "
        + "optional NumPy and MegaFace devkit exports", EmbedOptions.class, true, o -> EmbedPipeline.run(o).summary());
    add(c, "verify", "InsightFace's 10-fold verification of an embedded .bin pack: report.json, report.md, roc.png",
        VerifyOptions.class, false, o -> VerifyJob.run(o).summary() + stored(o, o.getOutput()));
    add(c, "evaluate", "ingest -> embed -> verify for every <target>.bin of a dataset folder, then the results table",
        EvaluateOptions.class, true, o -> EvaluateJob.run(o).summary() + stored(o, o.getOutput()));
    add(c, "megaface", "MegaFace identification over embed outputs, devkit feature files or NumPy matrices: blockwise scoring, "
        + "noise cleaning, rank-1, CMC, TAR@FAR", MegaFaceOptions.class, true, o -> MegaFaceJob.run(o).summary() + stored(o, o.getOutput()));
    add(c, "ijb", "IJB-B / IJB-C template evaluation from image features: the 1:1 TAR@FAR table exactly as InsightFace's eval_ijbc.py, "
        + "AUC, 1:N top-k and TPIR as ijb_1n.py; report.json, report.md, scores.npy, roc.png", IjbOptions.class, false,
        o -> o.getScoresNpy() != null ? IjbJob.compare(o).summary() : IjbJob.run(o).summary() + stored(o, o.getOutput()));
    add(c, "all-pairs", "Every image of a labelled set against every other (IFRT's 1:1): exact TAR at each FAR over all pairs i < j,"
        + " for all images and within each group; counts per block on the workers, never the scores", AllPairsOptions.class, true,
        o -> AllPairsJob.run(o).summary());
    add(c, "run", "An evaluation from a config, staged in a work folder: ingest -> embed -> verify per target, unchanged stages "
        + "skipped, report.md/html", RunOptions.class, true, o -> RunJob.run(o, System.out).summary() + stored(o, o.getWorkdir()));
    add(c, "results", "The results store as one table (models x benchmarks, as InsightFace prints it), --compare=A,B side by side,"
        + " --report=DIR for report.html with ROC curves on a log FAR axis", ShowResultsOptions.class, false,
        o -> ShowResults.run(o).stripTrailing());
    add(c, "train", "Train a face-recognition network (ResNet-IR, MobileFaceNet, MNasNet; softmax, ArcFace, CosFace, combined, "
        + "triplet) on an InsightFace dataset folder", TrainOptions.class, false, o -> TrainJob.run(o, System.out).summary());
    add(c, "lr-probe", "Short training runs at several learning rates; recommends the one whose verification accuracy rises fastest",
        LrProbeOptions.class, false, o -> LrProbe.run(o, System.out).summary());
    add(c, "export", "A checkpoint of train's networks as an ONNX graph or a TorchScript archive (FILE.onnx or FILE.pt; dynamic batch,"
        + " preprocessing in the file); written only when ONNX Runtime's or libtorch's embeddings match DJL's"
        + " (cosine >= 0.99999, max |d|/|e| <= 1e-4)", ExportOptions.class, false, o -> ExportJob.run(o, System.out).summary());
    add(c, "pack", "Write a .rec/.idx/property (InsightFace layout) or a verification .bin from any readable pack",
        PackOptions.class, false, o -> PackJob.run(o).summary(o.getOutput()));
    add(c, "bench-decode", "Benchmark: decode throughput of a .rec of real 112x112 JPEGs against a plain ImageIO loop (not a test)",
        DecodeBenchmark.Options.class, false, DecodeBenchmark::run);
    add(c, "bench-embed", "Benchmark: embedding throughput against the raw DJL forward loop, and memory over a long run (not a test)",
        EmbedBenchmark.Options.class, false, EmbedBenchmark::run);
    add(c, "bench-megaface", "Benchmark: the megaface stage on synthetic 512-d features against the raw DJL matrix product (not a test)",
        MegaFaceBenchmark.Options.class, false, MegaFaceBenchmark::run);
    add(c, "bench-train", "Benchmark: training samples/s on real JPEG records and the share of time waiting for data (not a test)",
        TrainBenchmark.Options.class, false, TrainBenchmark::run);
    return c;
  }

  /** What a command does with its options, typed: returns the lines printed on success. */
  private interface Run<O extends PipelineOptions> {
    String run(O options) throws Exception;
  }

  private static <O extends PipelineOptions> void add(Map<String, Command> commands, String name, String help, Class<O> options,
      boolean pipeline, Run<O> run) {
    commands.put(name, new Command(name, help, options, o -> run.run(o.as(options)), pipeline));
  }

  /** Where the numbers went: the results store the command added to (docs/results.md). */
  private static String stored(ResultsOptions o, String output) {
    String store = o.getResults() != null ? o.getResults() : ResultsStore.besides(output);
    return "\nresults store: " + Path.of(store).toAbsolutePath().normalize() + " (java -jar facebeam.jar results --results=" + store + ")";
  }
}
