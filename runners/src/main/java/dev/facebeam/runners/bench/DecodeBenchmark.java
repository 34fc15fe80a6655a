package dev.facebeam.runners.bench;

import dev.facebeam.align.FacePreparation;
import dev.facebeam.codec.image.ImageCodec;
import dev.facebeam.codec.image.ImageDecodeException;
import dev.facebeam.codec.image.RgbPixels;
import dev.facebeam.codec.pack.FacePack;
import dev.facebeam.codec.pack.FaceSink;
import dev.facebeam.codec.pack.RecPack;
import dev.facebeam.codec.recordio.IrHeader;
import dev.facebeam.codec.recordio.RecordIoDataset;
import dev.facebeam.codec.recordio.RecordIoIndex;
import dev.facebeam.codec.recordio.RecordIoReader;
import dev.facebeam.codec.recordio.RecordIoWriter;
import dev.facebeam.pipelines.ingest.IngestOptions;
import dev.facebeam.pipelines.ingest.IngestPipeline;
import dev.facebeam.proto.FaceRecord;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.ImageIO;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * Decode throughput on a {@code .rec} of real 112×112 JPEGs (the fixtures' faces, repeated), beside
 * the plain JDK loop {@code ImageIO.read} over the same bytes, measured in the same run.
 */
public final class DecodeBenchmark {
  private DecodeBenchmark() {}

  /** Options of {@code bench-decode}. */
  public interface Options extends PipelineOptions {
    @Description("Number of records in the generated .rec")
    @Default.Integer(20_000)
    int getRecordCount();

    void setRecordCount(int value);

    @Description("Folder of the real fixtures (rec/adaface, rec/small_lfw)")
    @Default.String("../shared/data")
    String getFixtures();

    void setFixtures(String value);

    @Description("Worker threads for facebeam's reader (the machine's cores by default)")
    @Default.Integer(0)
    int getThreads();

    void setThreads(int value);

    @Description("Also time the whole ingest stage on embedded Flink over the generated .rec")
    @Default.Boolean(true)
    boolean getWithIngest();

    void setWithIngest(boolean value);

    @Description("Images per identity in the generated .rec (InsightFace's layout: a header record, then identity records)")
    @Default.Integer(100)
    int getImagesPerIdentity();

    void setImagesPerIdentity(int value);

    @Description("A new folder to write the generated bench.rec/.idx into and keep (for scripts/bench_decode_cv2.py); empty: a temporary one")
    @Default.String("")
    String getKeep();

    void setKeep(String value);
  }

  public static String run(Options o) throws Exception {
    int threads = o.getThreads() > 0 ? o.getThreads() : Runtime.getRuntime().availableProcessors();
    List<byte[]> jpegs = realJpegs(Path.of(o.getFixtures()));
    boolean keep = !o.getKeep().isEmpty();
    if (keep && Files.exists(Path.of(o.getKeep()))) {
      throw new dev.facebeam.UserInputException("--keep=" + o.getKeep(), "already exists: name a new folder for the generated .rec");
    }
    Path dir = keep ? Files.createDirectory(Path.of(o.getKeep())) : Files.createTempDirectory("facebeam-bench");
    try {
      Path rec = dir.resolve("bench.rec");
      int perIdentity = Math.max(1, o.getImagesPerIdentity());
      int identities = (o.getRecordCount() + perIdentity - 1) / perIdentity;
      // Only the first 20,000 payloads are held (the JDK loop's baseline): a million records stream to disk.
      List<byte[]> payloads = new ArrayList<>(Math.min(o.getRecordCount(), 20_000));
      writeRec(rec, jpegs, o.getRecordCount(), perIdentity, payloads);
      StringBuilder report = new StringBuilder();
      report.append(String.format("bench-decode: %d records of real 112x112 JPEGs (%d distinct), %d identities in InsightFace's layout,"
          + " %d cores, %d threads%s%n  JPEG decoder: %s%n", o.getRecordCount(), jpegs.size(), identities, Runtime.getRuntime().availableProcessors(),
          threads, keep ? "; kept in " + dir + " (python3 scripts/bench_decode_cv2.py " + dir + ")" : "", ImageCodec.jpegDecoder()));
      // Warm both paths so the JIT has compiled them before timing.
      imageIoLoop(payloads.subList(0, Math.min(2000, payloads.size())));
      facebeamRead(rec, threads, null);

      for (Decoder d : new Decoder[] {ImageCodec::decode, ImageCodec::decodeWithLibjpegHuffman, ImageCodec::decodeWithoutLibjpegTurbo}) {
        decodeLoop(payloads.subList(0, Math.min(2000, payloads.size())), d);
      }
      double baseline = best(3, () -> imageIoLoop(payloads));
      double decode = best(3, () -> decodeLoop(payloads, ImageCodec::decode));
      double libjpegHuffman = best(3, () -> decodeLoop(payloads, ImageCodec::decodeWithLibjpegHuffman));
      double javaDecode = best(3, () -> decodeLoop(payloads, ImageCodec::decodeWithoutLibjpegTurbo));
      double single = best(3, () -> facebeamRead(rec, 1, null));
      double multi = best(3, () -> facebeamRead(rec, threads, null));
      Path loopOut = Files.createDirectory(dir.resolve("loop-out"));
      double written = best(3, () -> facebeamRead(rec, threads, loopOut));
      report.append(String.format("  baseline  ImageIO.read loop, 1 thread, bytes in memory  %8.0f images/s  (1.00x)%n", baseline));
      report.append(String.format("  facebeam  decode to RGB, 1 thread, bytes in memory      %8.0f images/s  (%.2fx)%n", decode, decode / baseline));
      report.append(String.format("  facebeam  the same, libjpeg-turbo's own Huffman decoding  %7.0f images/s  (%.2fx)%n", libjpegHuffman,
          libjpegHuffman / baseline));
      report.append(String.format("  facebeam  the same, pure-Java decoder (no libjpeg-turbo)  %7.0f images/s  (%.2fx)%n", javaDecode, javaDecode / baseline));
      // The stage's own per-face work: these records are stored 112x112 crops, which pass through checked, not decoded.
      report.append(String.format("  facebeam  .rec read + prepare, 1 thread (crops checked)  %8.0f images/s  (%.2fx)%n", single, single / baseline));
      report.append(String.format("  facebeam  .rec read + prepare, %d threads                %8.0f images/s  (%.2fx)%n", threads, multi, multi / baseline));
      // What the stage adds to that loop besides the runner: writing every record (as large as the input) to disk.
      report.append(String.format("  facebeam  .rec read + prepare + write records, %d threads %7.0f images/s  (%.2fx)%n", threads, written, written / baseline));
      if (o.getWithIngest()) {
        // The fixed cost (mini-cluster start, job graph) is measured on a tiny pack in the same JVM.
        Path tiny = dir.resolve("tiny.rec");
        try (RecordIoWriter w = new RecordIoWriter(tiny, RecordIoDataset.siblingIdx(tiny))) {
          for (int i = 0; i < 8; i++) {
            w.write(i, IrHeader.scalar(i % 2, i).pack(jpegs.get(i % jpegs.size())));
          }
        }
        double fixed = timeIngest(tiny, dir.resolve("tiny-out")).seconds();
        System.gc();
        boolean reset = EmbedBenchmark.resetPeak();
        IngestRun full;
        // Flink's shuffle and spill files go to this process's temporary folder (ProcessTemp).
        try (RunSampler sampler = RunSampler.start(Path.of(System.getProperty("java.io.tmpdir")), 250)) {
          full = timeIngest(rec, dir.resolve("ingested"));
          report.append(String.format("  facebeam  ingest stage on embedded Flink, %d slots       %8.0f images/s  (%.2fx; %d written in %.1f s)%n",
              threads, full.written() / full.seconds(), full.written() / full.seconds() / baseline, full.written(), full.seconds()));
          if (full.seconds() - fixed < 0.1 * full.seconds()) {
            // The tiny run took (nearly) as long as the whole one: a noisy machine or too few records to tell.
            report.append(String.format("  facebeam  ingest net of start-up: not measurable (start-up %.1f s of a %.1f s run; more --recordCount)%n",
                fixed, full.seconds()));
          } else {
            double net = full.written() / (full.seconds() - fixed);
            report.append(String.format("  facebeam  ingest stage, net of the %.1f s fixed start-up  %8.0f images/s  (%.2fx)%n",
                fixed, net, net / baseline));
            report.append(String.format("    ingest net ÷ the %d-thread loop: %.2f; ÷ the loop that also writes the records: %.2f%n",
                threads, net / multi, net / written));
          }
          report.append(sampler.tenths(full.seconds(), "    "));
          report.append(String.format("    peak RSS %s (VmHWM) %d MB; Flink's temporary folder (shuffle, spill) at most %d MB;"
              + " the input .rec %d MB%n", reset ? "of the stage" : "of the process", EmbedBenchmark.statusMb("VmHWM:"),
              sampler.largestFolderMb(), Files.size(rec) >> 20));
        }
      }
      return report.toString().stripTrailing();
    } finally {
      try (var s = Files.walk(dir)) {
        s.sorted(java.util.Comparator.reverseOrder())
            .filter(p -> !keep || !(p.equals(dir) || p.equals(dir.resolve("bench.rec")) || p.equals(dir.resolve("bench.idx"))))
            .forEach(p -> p.toFile().delete());
      }
    }
  }

  /**
   * {@code n} image records cycling through {@code jpegs} in InsightFace's layout: key 0 a header
   * (flag 2, label [n + 1, n + 1 + identities)), keys 1..n the images (label = identity), then one
   * record per identity with its image range; the first 20,000 payloads also into {@code held}.
   */
  static void writeRec(Path rec, List<byte[]> jpegs, int n, int perIdentity, List<byte[]> held) throws IOException {
    int identities = (n + perIdentity - 1) / perIdentity;
    try (RecordIoWriter w = new RecordIoWriter(rec, RecordIoDataset.siblingIdx(rec))) {
      w.write(0, IrHeader.array(new float[] {n + 1, n + 1 + identities}, 0).pack(new byte[0]));
      for (int i = 0; i < n; i++) {
        byte[] jpeg = jpegs.get(i % jpegs.size());
        if (held.size() < 20_000) {
          held.add(jpeg);
        }
        w.write(i + 1, IrHeader.scalar(i / perIdentity, i + 1).pack(jpeg));
      }
      for (int c = 0; c < identities; c++) {
        int from = 1 + c * perIdentity;
        w.write(n + 1 + c, IrHeader.array(new float[] {from, Math.min(n + 1, from + perIdentity)}, n + 1 + c).pack(new byte[0]));
      }
    }
  }

  private record IngestRun(long written, double seconds) {}

  private static IngestRun timeIngest(Path rec, Path out) {
    IngestOptions io = PipelineOptionsFactory.fromArgs("--runner=FlinkRunner", "--flinkMaster=[local]",
            "--parallelism=" + Runtime.getRuntime().availableProcessors(), "--fasterCopy=true")
        .as(IngestOptions.class);
    io.setInput(rec.toString());
    io.setOutput(out.toString());
    long t0 = System.nanoTime();
    IngestPipeline.Result r = IngestPipeline.run(io);
    return new IngestRun(r.manifest().getWritten(), (System.nanoTime() - t0) / 1e9);
  }

  interface Timed {
    long run() throws Exception;
  }

  /** Best images/s over a few repetitions: the least disturbed run. */
  private static double best(int reps, Timed t) throws Exception {
    double best = 0;
    for (int i = 0; i < reps; i++) {
      long t0 = System.nanoTime();
      long n = t.run();
      best = Math.max(best, n / ((System.nanoTime() - t0) / 1e9));
    }
    return best;
  }

  /** One of ImageCodec's decodes. */
  private interface Decoder {
    RgbPixels decode(byte[] image) throws ImageDecodeException;
  }

  private static long decodeLoop(List<byte[]> payloads, Decoder decoder) throws Exception {
    long n = 0;
    for (byte[] b : payloads) {
      if (decoder.decode(b).width() > 0) {
        n++;
      }
    }
    return n;
  }

  private static long imageIoLoop(List<byte[]> payloads) throws IOException {
    long n = 0;
    for (byte[] b : payloads) {
      if (ImageIO.read(new ByteArrayInputStream(b)) != null) {
        n++;
      }
    }
    return n;
  }

  /** The loops time the first 20,000 records (tasks of 1,000): a rate, whatever the size of the .rec the ingest reads. */
  private static final int LOOP_TASKS = 20;

  /** Reads and prepares the first {@link #LOOP_TASKS} tasks on {@code threads}; with {@code out}, each task's records also written to a file there. */
  private static long facebeamRead(Path rec, int threads, Path out) throws Exception {
    FacePack pack = RecPack.open(rec, 1000);
    AtomicLong done = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      List<? extends Serializable> tasks = pack.tasks().subList(0, Math.min(LOOP_TASKS, pack.tasks().size()));
      for (int t = 0; t < tasks.size(); t++) {
        Serializable task = tasks.get(t);
        Path file = out == null ? null : out.resolve("task-" + t);
        futures.add(pool.submit(() -> {
          try (java.io.OutputStream sink = file == null ? java.io.OutputStream.nullOutputStream()
              : new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            pack.read(task, new FaceSink() {
              @Override
              public void face(FaceRecord raw) {
                try {
                  FaceRecord prepared = FacePreparation.prepare(raw).record();
                  if (file != null) {
                    prepared.writeDelimitedTo(sink);
                  }
                  done.incrementAndGet();
                } catch (FacePreparation.RejectedFace | IOException e) {
                  throw new IllegalStateException(e);
                }
              }

              @Override
              public void reject(String id, String source, String reason) {
                throw new IllegalStateException(reason);
              }
            });
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    return done.get();
  }

  /** The JPEG payloads of the real fixture packs. */
  static List<byte[]> realJpegs(Path fixtures) {
    List<byte[]> out = new ArrayList<>();
    for (Path rec : List.of(fixtures.resolve("rec/adaface/train.rec"), fixtures.resolve("rec/small_lfw/small_lfw_labelled.rec"))) {
      if (!Files.isRegularFile(rec)) {
        continue;
      }
      RecordIoIndex idx = RecordIoIndex.read(RecordIoDataset.siblingIdx(rec));
      try (RecordIoReader r = new RecordIoReader(rec)) {
        for (int i = 0; i < idx.size(); i++) {
          IrHeader.Unpacked u = IrHeader.unpack(r.readAt(idx.offset(i)).payload(), rec.toString());
          if (u.payloadLength() > 0) {
            out.add(u.payload());
          }
        }
      }
    }
    if (out.isEmpty()) {
      throw new dev.facebeam.UserInputException("--fixtures=" + fixtures, "no fixture JPEGs there (the folder holding rec/ and bin/, as ../shared/data)");
    }
    return out;
  }
}
