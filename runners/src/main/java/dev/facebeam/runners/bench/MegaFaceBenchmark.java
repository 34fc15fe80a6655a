package dev.facebeam.runners.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.facebeam.codec.export.NpyMatrix;
import dev.facebeam.codec.export.NpyWriter;
import dev.facebeam.pipelines.megaface.MegaFaceJob;
import dev.facebeam.pipelines.megaface.MegaFaceOptions;
import dev.facebeam.pipelines.megaface.MegaFaceResult;
import java.io.BufferedWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * MegaFace at scale on synthetic features: 3,530 probes of 80 identities and up to 10^6 distractors,
 * 512-d, written as NumPy matrices with lists and run through the {@code megaface} stage on embedded
 * Flink, beside the raw DJL matrix product over the same blocks in the same run (the compute floor).
 * Reports wall time, the ratio to the floor, the marginal cost per distractor between counts (is the
 * growth linear?) and each run's peak resident memory.
 *
 * <p>The features are drawn so that scores look like a real model's: vectors are Gaussian with a
 * decaying spectrum (effective dimension about 100, so impostor cosines spread with σ ≈ 0.1 as real
 * 512-d embeddings do, not the 0.044 of isotropic noise), and each probe sits at its own distance from
 * its identity's centre, so genuine cosines run from about 0.3 to 0.75 and rank-1 falls as
 * distractors are added.
 */
public final class MegaFaceBenchmark {
  private static final int D = 512;

  private MegaFaceBenchmark() {}

  /** Options of {@code bench-megaface}. */
  public interface Options extends PipelineOptions {
    @Description("Distractor counts to run, comma-separated (each run uses the first N of one generated set)")
    @Default.String("10000,100000")
    String getDistractorCounts();

    void setDistractorCounts(String value);

    @Description("Probes (MegaFace: 3530 FaceScrub images of 80 identities)")
    @Default.Integer(3530)
    int getProbeCount();

    void setProbeCount(int value);

    @Description("Distractors per matrix product, in the stage and in the floor")
    @Default.Integer(4096)
    int getBenchBlockSize();

    void setBenchBlockSize(int value);
  }

  public static String run(Options o) throws Exception {
    int p = o.getProbeCount();
    int block = o.getBenchBlockSize();
    List<Integer> counts = new ArrayList<>();
    for (String c : dev.facebeam.config.Options.list(o.getDistractorCounts())) {
      counts.add(Integer.parseInt(c.strip()));
    }
    int max = counts.stream().mapToInt(Integer::intValue).max().orElseThrow();
    SplittableRandom r = new SplittableRandom(2048);
    double[] spectrum = new double[D];
    for (int i = 0; i < D; i++) {
      spectrum[i] = Math.exp(-i / 100.0);
    }
    Path dir = Files.createTempDirectory("facebeam-bench-megaface");
    StringBuilder report = new StringBuilder(String.format(Locale.ROOT,
        "bench-megaface: %d probes of 80 identities, %d-d, blocks of %d, %d cores; features as NumPy matrices (%.2f GB of distractors)%n",
        p, D, block, Runtime.getRuntime().availableProcessors(), 4.0 * D * max / 1e9));
    try {
      float[][] centres = new float[80][];
      for (int c = 0; c < 80; c++) {
        centres[c] = draw(r, spectrum, null, 0);
      }
      float[][] probes = new float[p][];
      try (NpyWriter w = new NpyWriter(dir.resolve("probes.npy"), p, D);
           BufferedWriter list = Files.newBufferedWriter(dir.resolve("facescrub_lst"), StandardCharsets.UTF_8)) {
        for (int i = 0; i < p; i++) {
          int c = i % 80;
          probes[i] = draw(r, spectrum, centres[c], 0.6 + r.nextDouble());
          w.write(probes[i]);
          list.write(String.format("facescrub/Person_%02d/Person_%02d_%d.png%n", c, c, i / 80));
        }
      }
      try (NpyWriter w = new NpyWriter(dir.resolve("distractors.npy"), max, D);
           BufferedWriter list = Files.newBufferedWriter(dir.resolve("megaface_lst"), StandardCharsets.UTF_8)) {
        for (int i = 0; i < max; i++) {
          w.write(draw(r, spectrum, null, 0));
          list.write(String.format("megaface/%d/%d@N00/%d_0.jpg%n", i % 1000, i / 1000, i));
        }
      }
      List<String> lines = Files.readAllLines(dir.resolve("megaface_lst"));
      // A first, unreported run at the smallest count warms the JVM, libtorch and Flink's classes, so
      // that every reported run pays the same fixed cost and the marginal costs below compare.
      counts.add(0, counts.stream().mapToInt(Integer::intValue).min().orElseThrow());
      double[] stage = new double[counts.size()];
      double[] floors = new double[counts.size()];
      for (int k = 0; k < counts.size(); k++) {
        int n = counts.get(k);
        Path sub = dir.resolve("run-" + n);
        Files.createDirectories(sub);
        Files.write(sub.resolve("megaface_lst"), lines.subList(0, n), StandardCharsets.UTF_8);
        try (var ch = java.nio.channels.FileChannel.open(dir.resolve("distractors.npy"));
             var out = java.nio.channels.FileChannel.open(sub.resolve("distractors.npy"), java.nio.file.StandardOpenOption.CREATE_NEW,
                 java.nio.file.StandardOpenOption.WRITE)) {
          // The first n rows: their own header, then the bytes.
          out.write(java.nio.ByteBuffer.wrap(NpyWriter.header(n, D)));
          long offset = ch.size() - 4L * D * max;
          ch.transferTo(offset, 4L * D * n, out);
        }
        double floor = rawFloor(probes, NpyMatrix.open(sub.resolve("distractors.npy")), block);
        floors[k] = floor;
        resetPeak();
        MegaFaceOptions m = PipelineOptionsFactory.fromArgs("--runner=FlinkRunner", "--flinkMaster=[local]",
            "--parallelism=" + Runtime.getRuntime().availableProcessors(), "--fasterCopy=true").as(MegaFaceOptions.class);
        m.setProbesNpy(dir.resolve("probes.npy").toString());
        m.setProbesList(dir.resolve("facescrub_lst").toString());
        m.setDistractorsNpy(sub.resolve("distractors.npy").toString());
        m.setDistractorsList(sub.resolve("megaface_lst").toString());
        m.setOutput(sub.resolve("out").toString());
        m.setSizes(Integer.toString(n));
        m.setBlockSize(block);
        long t0 = System.nanoTime();
        MegaFaceResult res = MegaFaceJob.run(m);
        stage[k] = (System.nanoTime() - t0) / 1e9;
        if (k == 0) {
          report.append(String.format(Locale.ROOT, "  (warm-up run at %,d distractors: %.1f s, not counted)%n", n, stage[k]));
        } else {
          report.append(String.format(Locale.ROOT,
            "  %,9d distractors: megaface stage %7.1f s, raw DJL matMul over the same blocks %6.1f s (%.2fx);"
                + " rank-1 %.4f; peak RSS of the run %,d MB%n",
            n, stage[k], floor, stage[k] / floor, res.sizes().get(0).rank1(), peakRssMb()));
        }
        try (var s = Files.walk(sub)) {
          s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
      }
      for (int k = 2; k < counts.size(); k++) {
        double per = (stage[k] - stage[k - 1]) / (counts.get(k) - counts.get(k - 1)) * 1e6;
        double floorPer = (floors[k] - floors[k - 1]) / (counts.get(k) - counts.get(k - 1)) * 1e6;
        report.append(String.format(Locale.ROOT, "  marginal cost %,d -> %,d distractors: stage %.1f s per 10^6, floor %.1f s per 10^6%n",
            counts.get(k - 1), counts.get(k), per, floorPer));
      }
      return report.toString().stripTrailing();
    } finally {
      try (var s = Files.walk(dir)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  /** A unit vector: Gaussian with the given spectrum, alone or added to a centre at distance sigma. */
  private static float[] draw(SplittableRandom r, double[] spectrum, float[] centre, double sigma) {
    double[] g = new double[D];
    double n = 0;
    for (int i = 0; i < D; i++) {
      g[i] = r.nextGaussian() * spectrum[i];
      n += g[i] * g[i];
    }
    n = Math.sqrt(n);
    float[] v = new float[D];
    double m = 0;
    for (int i = 0; i < D; i++) {
      double x = centre == null ? g[i] / n : centre[i] + sigma * g[i] / n;
      v[i] = (float) x;
      m += x * x;
    }
    m = Math.sqrt(m);
    for (int i = 0; i < D; i++) {
      v[i] = (float) (v[i] / m);
    }
    return v;
  }

  /**
   * The compute floor: the same probes × block products through DJL with the cheapest way in and out
   * (a direct buffer in, the tensor's memory copied into one array out), timed around the product
   * alone, nothing kept.
   */
  private static double rawFloor(float[][] probes, NpyMatrix distractors, int block) {
    int p = probes.length;
    float[] pf = new float[p * D];
    for (int i = 0; i < p; i++) {
      System.arraycopy(probes[i], 0, pf, i * D, D);
    }
    float[] bf = new float[block * D];
    float[] out = new float[p * block];
    ByteBuffer in = ByteBuffer.allocateDirect(4 * block * D).order(ByteOrder.nativeOrder());
    long spent = 0;
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      NDArray a = m.create(pf, new Shape(p, D));
      for (long start = 0; start < distractors.rows(); start += block) {
        int b = (int) Math.min(block, distractors.rows() - start);
        distractors.readRows(start, b, bf, 0);
        long t0 = System.nanoTime();
        in.clear();
        in.asFloatBuffer().put(bf, 0, b * D);
        in.limit(4 * b * D);
        try (NDManager s = m.newSubManager()) {
          NDArray bt = s.create(in, new Shape(b, D), DataType.FLOAT32).transpose();
          try (NDArray scores = a.matMul(bt)) { // attached to a's manager: close it here
            scores.toByteBuffer(true).order(ByteOrder.nativeOrder()).asFloatBuffer().get(out, 0, p * b);
          }
        }
        spent += System.nanoTime() - t0;
      }
    }
    return spent / 1e9;
  }

  /** Linux resets VmHWM on "5" > clear_refs, so each run reports its own peak. */
  private static void resetPeak() {
    try {
      Files.writeString(Path.of("/proc/self/clear_refs"), "5");
    } catch (Exception e) {
      // not Linux, or not allowed: the peak is then the process's so far
    }
  }

  static long peakRssMb() {
    return EmbedBenchmark.statusMb("VmHWM:");
  }
}
