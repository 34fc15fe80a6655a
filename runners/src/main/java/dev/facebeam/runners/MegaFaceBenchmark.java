package dev.facebeam.runners;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.facebeam.io.StageFiles;
import dev.facebeam.io.StageOutput;
import dev.facebeam.pipelines.MegaFaceJob;
import dev.facebeam.pipelines.MegaFaceOptions;
import dev.facebeam.proto.Embedding;
import dev.facebeam.proto.Role;
import dev.facebeam.proto.StageManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * MegaFace at scale on synthetic unit vectors: 80 identities of probes around their centres, random
 * distractors, 512-d. Times the {@code megaface} stage on embedded Flink beside the raw DJL matrix
 * product over the same blocks (the compute floor), and reports peak resident memory.
 */
final class MegaFaceBenchmark {
  private MegaFaceBenchmark() {}

  /** Options of {@code bench-megaface}. */
  public interface Options extends PipelineOptions {
    @Description("Distractor counts to run, comma-separated")
    @Default.String("10000,100000")
    String getDistractorCounts();

    void setDistractorCounts(String value);

    @Description("Probes (MegaFace: 3530 FaceScrub images of 80 identities)")
    @Default.Integer(3530)
    int getProbeCount();

    void setProbeCount(int value);
  }

  static String run(Options o) throws Exception {
    int d = 512;
    int p = o.getProbeCount();
    Random r = new Random(2048);
    float[][] centres = new float[80][];
    for (int c = 0; c < 80; c++) {
      centres[c] = unit(r, d, null, 0);
    }
    Path dir = Files.createTempDirectory("facebeam-bench-megaface");
    StringBuilder report = new StringBuilder(String.format("bench-megaface: %d probes of 80 identities, %d-d, %d cores%n",
        p, d, Runtime.getRuntime().availableProcessors()));
    try {
      List<Embedding> probes = new ArrayList<>();
      float[][] probeVectors = new float[p][];
      for (int i = 0; i < p; i++) {
        int c = i % 80;
        probeVectors[i] = unit(r, d, centres[c], 0.045f); // intra-identity cosine about 0.6
        probes.add(embedding(String.format("probe-%09d", i + 1), Role.PROBE, i + 1, c, probeVectors[i]));
      }
      Path probesDir = writeStage(dir.resolve("probes"), probes, 1);
      for (String count : o.getDistractorCounts().split(",")) {
        int n = Integer.parseInt(count.strip());
        List<Embedding> distractors = new ArrayList<>(n);
        List<float[]> vectors = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          float[] v = unit(r, d, null, 0);
          vectors.add(v);
          distractors.add(embedding(String.format("distractor-%09d", i + 1), Role.DISTRACTOR, i + 1, -1, v));
        }
        Path distractorsDir = writeStage(dir.resolve("distractors-" + n), distractors, Math.max(1, n / 20_000));
        distractors = null;
        double floor = rawFloor(probeVectors, vectors, 4096);
        vectors = null;
        MegaFaceOptions m = PipelineOptionsFactory.fromArgs("--runner=FlinkRunner", "--flinkMaster=[local]",
            "--parallelism=" + Runtime.getRuntime().availableProcessors(), "--fasterCopy=true").as(MegaFaceOptions.class);
        m.setProbes(probesDir.toString());
        m.setDistractors(distractorsDir.toString());
        m.setOutput(dir.resolve("out-" + n).toString());
        m.setSizes(Integer.toString(n));
        long t0 = System.nanoTime();
        MegaFaceJob.Result res = MegaFaceJob.run(m);
        double secs = (System.nanoTime() - t0) / 1e9;
        report.append(String.format("  %,9d distractors: megaface stage %7.1f s, raw DJL matMul over the same 4096-blocks %6.1f s (%.2fx);"
                + " rank-1 %.4f; peak RSS so far %,d MB%n",
            n, secs, floor, secs / floor, res.sizes().get(0).rank1(), peakRssMb()));
      }
      return report.toString().stripTrailing();
    } finally {
      try (var s = Files.walk(dir)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  private static float[] unit(Random r, int d, float[] centre, float sigma) {
    float[] v = new float[d];
    double n = 0;
    for (int i = 0; i < d; i++) {
      v[i] = centre == null ? (float) r.nextGaussian() : centre[i] + sigma * (float) r.nextGaussian();
      n += v[i] * v[i];
    }
    for (int i = 0; i < d; i++) {
      v[i] /= (float) Math.sqrt(n);
    }
    return v;
  }

  private static Embedding embedding(String id, Role role, long index, long label, float[] v) {
    Embedding.Builder b = Embedding.newBuilder().setId(id).setRole(role).setIndex(index).setLabel(label);
    for (float f : v) {
      b.addVector(f);
    }
    return b.build();
  }

  private static Path writeStage(Path dir, List<Embedding> records, int shards) throws Exception {
    Files.createDirectories(dir);
    StageManifest.Builder m = StageManifest.newBuilder().setStage("embed").setFormat("bench")
        .setRead(records.size()).setWritten(records.size());
    int per = (records.size() + shards - 1) / shards;
    for (int s = 0; s < shards; s++) {
      String name = StageFiles.shardName(s, shards);
      StageFiles.writeFramed(dir.resolve(name), records.subList(Math.min(records.size(), s * per), Math.min(records.size(), (s + 1) * per)));
      m.addShards(name);
    }
    Files.writeString(dir.resolve(StageOutput.MANIFEST), StageOutput.toJson(m.build()));
    return dir;
  }

  /** The compute floor: probes × block products, nothing kept. */
  private static double rawFloor(float[][] probes, List<float[]> distractors, int block) {
    int p = probes.length;
    int d = probes[0].length;
    float[] pf = new float[p * d];
    for (int i = 0; i < p; i++) {
      System.arraycopy(probes[i], 0, pf, i * d, d);
    }
    long t0 = System.nanoTime();
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      for (int start = 0; start < distractors.size(); start += block) {
        int b = Math.min(block, distractors.size() - start);
        float[] bf = new float[b * d];
        for (int j = 0; j < b; j++) {
          System.arraycopy(distractors.get(start + j), 0, bf, j * d, d);
        }
        try (NDManager s = m.newSubManager()) {
          NDArray a = s.create(pf, new Shape(p, d));
          NDArray bt = s.create(bf, new Shape(b, d)).transpose();
          a.matMul(bt).toFloatArray();
        }
      }
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  static long peakRssMb() {
    return EmbedBenchmark.statusMb("VmHWM:");
  }
}
