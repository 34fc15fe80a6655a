package dev.facebeam.pipelines.pack;

import dev.facebeam.UserInputException;
import dev.facebeam.align.FacePreparation;
import dev.facebeam.codec.image.ImageCodec;
import dev.facebeam.codec.image.RgbPixels;
import dev.facebeam.codec.pack.FacePack;
import dev.facebeam.codec.pack.FaceSink;
import dev.facebeam.codec.pack.VerificationPack;
import dev.facebeam.codec.pickle.PickleWriter;
import dev.facebeam.codec.recordio.IrHeader;
import dev.facebeam.codec.recordio.RecordIoDataset;
import dev.facebeam.codec.recordio.RecordIoWriter;
import dev.facebeam.io.Digests;
import dev.facebeam.io.OutputGuard;
import dev.facebeam.io.StageFiles;
import dev.facebeam.io.StageOutput;
import dev.facebeam.packs.PackOpener;
import dev.facebeam.pipelines.stage.StageLayout;
import dev.facebeam.pipelines.stage.StagePaths;
import dev.facebeam.proto.AlignMethod;
import dev.facebeam.proto.FaceRecord;
import dev.facebeam.proto.Reject;
import dev.facebeam.proto.StageManifest;
import dev.facebeam.transforms.FaceTags;
import dev.facebeam.transforms.WriteRejects;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds packs: {@code .rec/.idx/property} as InsightFace's {@code dir2rec.py} lays them out, or a
 * verification {@code .bin}. It reads the input's tasks — the pieces {@code ingest}'s source hands
 * its workers — with the same readers and face preparation, on every core, and writes sequentially
 * (a pack is one file), so it runs in this JVM rather than as a pipeline. A {@code .rec}'s images
 * are sorted into dir2rec's order within {@link #SORT_BUDGET} bytes of memory, beyond it through
 * sorted runs on disk ({@link SortedFaces}); a {@code .bin} keeps only the images its pairs name.
 */
public final class PackJob {
  /** Image bytes a .rec pack holds in memory while sorting; more go to sorted runs beside the output. */
  static final long SORT_BUDGET = 128L << 20;

  private PackJob() {}

  /**
   * What was packed: faces read from the input and rejected there, images written to the pack (for a
   * {@code .bin}, two per pair, so a face in several pairs counts each time), identities, pairs.
   */
  public record Result(long read, long rejected, long imagesWritten, long identities, long pairs) {
    /** The console's line for a pack written to {@code output}. */
    public String summary(String output) {
      return String.format("pack: read %d faces, rejected %d; wrote %d images%s -> %s", read, rejected, imagesWritten,
          pairs > 0 ? " in " + pairs + " pairs" : " of " + identities + " identities", output);
    }
  }

  /** The command line's pack: its options made into parameters once. */
  public static Result run(PackOptions o) {
    return run(new PackParams(Path.of(o.getInput()), Path.of(o.getOutput()), o.getFormat(), StagePaths.given(o.getPairs()),
        o.getProtocol(), elements(o.getElements()), o.getHeader(), o.getQuality(), StagePaths.given(o.getImageRoot())));
  }

  /** A .bin of the pairs a list names, from a pack read in its own format, every other setting at its default. */
  public static PackParams binOf(Path input, Path output, Path pairs) {
    return new PackParams(input, output, StageLayout.AUTO_FORMAT, pairs, PackOptions.PROTOCOL, elements(PackOptions.ELEMENTS), true,
        PackOptions.QUALITY, null);
  }

  /** {@code --elements}: bytes, or numpy (uint8 arrays, as cv2.imencode packs hold them). */
  static PickleWriter.ElementForm elements(String name) {
    return switch (name) {
      case "bytes" -> PickleWriter.ElementForm.BYTES;
      case "numpy" -> PickleWriter.ElementForm.NUMPY_UINT8;
      default -> throw new UserInputException("--elements", "'" + name + "' is not an element form (allowed: bytes, numpy)");
    };
  }

  public static Result run(PackParams params) {
    return run(params, SORT_BUDGET);
  }

  /** {@link #run(PackParams)} sorting a .rec's images within {@code sortBudget} bytes of memory. */
  static Result run(PackParams params, long sortBudget) {
    dev.facebeam.config.Options.number("--protocol", Integer.toString(params.protocol()), 2, 5);
    dev.facebeam.config.Options.number("--quality", Integer.toString(params.quality()), 1, 100);
    if (params.elements() == PickleWriter.ElementForm.NUMPY_UINT8 && params.protocol() > 4) {
      throw new UserInputException("--elements=numpy", "numpy elements are written as numpy 1.x pickles them, at protocols 2 to 4"
          + " (allowed with --protocol=5: bytes)");
    }
    if (params.output() == null || params.output().toString().isBlank()) {
      throw new UserInputException("--output", "is empty: name the .rec or .bin file to write");
    }
    Path output = params.output().toAbsolutePath().normalize();
    String name = output.getFileName().toString();
    if (!name.endsWith(".rec") && !name.endsWith(".bin")) {
      throw new UserInputException("--output=" + params.output(), "must end in .rec or .bin");
    }
    Path sidecar = sidecar(output);
    List<Path> writes = new ArrayList<>(List.of(output, rejectsFile(output), sidecar));
    if (name.endsWith(".rec")) {
      writes.add(RecordIoDataset.siblingIdx(output));
      writes.add(output.resolveSibling("property"));
    }
    OutputGuard.files("--output", params.output().toString(), "pack", sidecar, writes,
        java.util.Arrays.asList(params.input(), params.imageRoot(), params.pairs()));
    boolean rec = name.endsWith(".rec");
    List<Pair> pairs = rec ? null : readPairs(output, params.pairs());
    FacePack pack = PackOpener.open(params.input(), params.format(), params.imageRoot());
    try {
      Files.createDirectories(output.getParent());
      Result r;
      List<Path> written = new ArrayList<>(List.of(output));
      List<Reject> rejects;
      if (rec) {
        try (SortedFaces sorted = new SortedFaces(output.getParent(), "." + name + ".", sortBudget)) {
          java.util.concurrent.atomic.AtomicBoolean unlabelled = new java.util.concurrent.atomic.AtomicBoolean();
          rejects = read(pack, (task, faces) -> {
            List<SortedFaces.Entry> entries = new ArrayList<>(faces.size());
            for (int k = 0; k < faces.size(); k++) {
              FaceRecord f = faces.get(k);
              unlabelled.compareAndSet(false, f.getLabel() < 0);
              entries.add(new SortedFaces.Entry(f.getLabel(), f.getIndex(), f.getId(), ((long) task << 32) | k, imageBytes(f, params.quality())));
            }
            sorted.addAll(entries);
          });
          long ids = writeRec(output, sorted, unlabelled.get(), params);
          written.add(RecordIoDataset.siblingIdx(output));
          if (ids > 0) {
            written.add(output.resolveSibling("property"));
          }
          r = new Result(sorted.size() + rejects.size(), rejects.size(), sorted.size(), ids, 0);
        }
      } else {
        NamedImages named = new NamedImages(pairs);
        java.util.concurrent.atomic.AtomicLong faces = new java.util.concurrent.atomic.AtomicLong();
        rejects = read(pack, (task, prepared) -> {
          faces.addAndGet(prepared.size());
          for (int k = 0; k < prepared.size(); k++) {
            named.offer(prepared.get(k), ((long) task << 32) | k, params.quality());
          }
        });
        int n = writeBin(output, pairs, named, params);
        r = new Result(faces.get() + rejects.size(), rejects.size(), 2L * n, 0, n);
      }
      // Only once the pack is written: a pack that fails (a bad pairs line) leaves nothing a rerun would refuse.
      writeRejects(output, rejects);
      if (!rejects.isEmpty()) {
        written.add(rejectsFile(output));
      }
      writeSidecar(sidecar, params, r, written);
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + output + ": " + e.getMessage(), e);
    }
  }

  /** {@code FILE.manifest.json} beside the pack: lists the files this stage wrote, so a rerun may replace them. */
  static Path sidecar(Path output) {
    return output.resolveSibling(output.getFileName() + ".manifest.json");
  }

  private static Path rejectsFile(Path output) {
    return output.resolveSibling(output.getFileName() + ".rejects.jsonl");
  }

  private static void writeSidecar(Path sidecar, PackParams params, Result r, List<Path> written) throws IOException {
    StageManifest.Builder m = StageManifest.newBuilder().setStage("pack").setInput(params.input().toString())
        .setRead(r.read()).setWritten(r.imagesWritten()).setRejected(r.rejected()).setIdentities(r.identities())
        .setPairs(r.pairs()).setCreated(java.time.Instant.now().toString());
    for (Path p : written) {
      m.addOutputs(Digests.of(p, p.getFileName().toString(), Long.MAX_VALUE));
    }
    StageFiles.writeAtomically(sidecar, StageOutput.toJson(m.build()) + "\n");
  }

  /** The bytes that go into a pack: the original file for passthrough faces, else a JPEG of the crop. */
  static byte[] imageBytes(FaceRecord f, int quality) {
    if (f.getAlignMethod() == AlignMethod.PASSTHROUGH) {
      return f.getEncoded().getData().toByteArray();
    }
    RgbPixels px = new RgbPixels(f.getAligned().getWidth(), f.getAligned().getHeight(), f.getAligned().getPixels().toByteArray());
    return ImageCodec.encodeJpeg(px, quality);
  }

  private static long writeRec(Path rec, SortedFaces faces, boolean unlabelled, PackParams params) throws IOException {
    if (faces.size() == 0) {
      throw new UserInputException(params.input().toString(), "nothing to pack: every input was rejected");
    }
    boolean header = params.header();
    if (header && unlabelled) {
      throw new UserInputException(params.input().toString(), "--header=true needs a label on every image; pass --header=false for unlabelled images");
    }
    Path idx = RecordIoDataset.siblingIdx(rec);
    long[] classes = new long[1];
    // The pair is written side by side; the .idx is renamed into place just before the .rec.
    StageFiles.replaceAtomically(rec, tmpRec -> StageFiles.replaceAtomically(idx,
        tmpIdx -> classes[0] = writeRecordIo(tmpRec, tmpIdx, faces, header)));
    if (classes[0] > 0) {
      StageFiles.writeAtomically(rec.resolveSibling("property"), classes[0] + ",112,112\n");
    }
    return classes[0];
  }

  /**
   * Writes the images in label order with contiguous keys, each distinct label (none, -1, too) numbered
   * 0, 1, … as it first comes (dir2rec.py's layout), then the header records; the identities, or 0 where
   * no image has a label.
   */
  private static long writeRecordIo(Path rec, Path idx, SortedFaces faces, boolean header) throws IOException {
    try (RecordIoWriter w = new RecordIoWriter(rec, idx)) {
      long[] key = {header ? 1 : 0};
      long[] last = {Long.MIN_VALUE, -1}; // the input label seen last, and its number
      List<long[]> ranges = new ArrayList<>(); // per number: the first key and one past the last
      faces.forEachInOrder(f -> {
        if (f.label() != last[0]) {
          last[0] = f.label();
          last[1]++;
          ranges.add(new long[] {key[0], key[0]});
        }
        long label = f.label() < 0 ? -1 : last[1];
        w.write(key[0], IrHeader.scalar(label, key[0]).pack(f.image()));
        ranges.get((int) last[1])[1] = ++key[0];
      });
      long classes = ranges.size();
      if (header) {
        long first = key[0];
        w.write(0, IrHeader.array(new float[] {first, first + classes}, 0).pack(new byte[0]));
        for (int c = 0; c < classes; c++) {
          long[] r = ranges.get(c);
          w.write(first + c, IrHeader.array(new float[] {r[0], r[1]}, first + c).pack(new byte[0]));
        }
      }
      return last[0] < 0 ? 0 : classes;
    }
  }

  /** Receives one task's prepared faces, in the order the reader gave them; called from the reading threads. */
  private interface TaskFaces {
    void accept(int task, List<FaceRecord> faces) throws IOException;
  }

  /**
   * Reads every task of the pack on the machine's cores (a few tasks in flight per core, so memory
   * holds only those), preparing each face as ingest does; the rejects, in no particular order.
   */
  private static List<Reject> read(FacePack pack, TaskFaces onTask) {
    List<? extends Serializable> tasks = pack.tasks();
    int threads = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), tasks.size()));
    List<Reject> rejects = java.util.Collections.synchronizedList(new ArrayList<>());
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "facebeam-pack-reader");
      t.setDaemon(true);
      return t;
    });
    java.util.concurrent.ExecutorCompletionService<Void> done = new java.util.concurrent.ExecutorCompletionService<>(pool);
    try {
      int submitted = 0;
      int finished = 0;
      while (finished < tasks.size()) {
        while (submitted < tasks.size() && submitted - finished < 2 * threads) {
          int t = submitted++;
          done.submit(() -> {
            onTask.accept(t, readTask(pack, tasks.get(t), rejects));
            return null;
          });
        }
        done.take().get();
        finished++;
      }
      return rejects;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("pack interrupted", e);
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new UncheckedIOException(cause instanceof IOException io ? io : new IOException(cause));
    } finally {
      pool.shutdownNow();
    }
  }

  private static List<FaceRecord> readTask(FacePack pack, Serializable task, List<Reject> rejects) {
    List<FaceRecord> faces = new ArrayList<>();
    pack.read(task, new FaceSink() {
      @Override
      public void face(FaceRecord raw) {
        try {
          faces.add(FacePreparation.prepare(raw).record());
        } catch (FacePreparation.RejectedFace e) {
          rejects.add(FaceTags.reject(raw.getId(), raw.getSource(), e.getMessage()));
        }
      }

      @Override
      public void reject(String id, String source, String reason) {
        rejects.add(FaceTags.reject(id, source, reason));
      }
    });
    return faces;
  }

  /** A line of the pairs list: the two images' names, whether they are the same person, and where it stands. */
  private record Pair(String a, String b, boolean same, String where) {}

  /** The pairs a .bin is made of, checked before any image is read. */
  private static List<Pair> readPairs(Path bin, Path pairs) {
    if (pairs == null) {
      throw new UserInputException(bin.toString(), "a .bin needs --pairs=FILE (lines: <imageA> <imageB> <1|0>)");
    }
    if (!Files.isRegularFile(pairs)) {
      throw new UserInputException("--pairs=" + pairs, Files.exists(pairs) ? "is not a file" : "no such file");
    }
    List<Pair> out = new ArrayList<>();
    List<String> lines;
    try {
      lines = dev.facebeam.io.TextFiles.readLines(pairs);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + pairs + ": " + e.getMessage(), e);
    }
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split("\\s+");
      String where = pairs + ":" + (i + 1);
      if (f.length != 3 || !(f[2].equals("1") || f[2].equals("0"))) {
        throw new UserInputException(where, "expected '<imageA> <imageB> <1|0>', got '" + line + "'");
      }
      out.add(new Pair(f[0], f[1], f[2].equals("1"), where));
    }
    if (out.isEmpty()) {
      throw new UserInputException(pairs.toString(), "no pairs");
    }
    return out;
  }

  /**
   * The bytes of the images the pairs name, by id and by relative path; where two faces answer to one
   * name, the later in the input's order (an id before its own face's path), as a map filled in that order keeps.
   */
  private static final class NamedImages {
    private final java.util.Set<String> wanted = new java.util.HashSet<>();
    private final java.util.concurrent.ConcurrentHashMap<String, Named> byName = new java.util.concurrent.ConcurrentHashMap<>();

    private record Named(long order, byte[] image) {}

    NamedImages(List<Pair> pairs) {
      for (Pair p : pairs) {
        wanted.add(p.a());
        wanted.add(p.b());
      }
    }

    void offer(FaceRecord f, long seq, int quality) {
      boolean byId = wanted.contains(f.getId());
      boolean byPath = !f.getRelativePath().isEmpty() && wanted.contains(f.getRelativePath());
      if (byId || byPath) {
        byte[] image = imageBytes(f, quality);
        if (byId) {
          byName.merge(f.getId(), new Named(2 * seq, image), (x, y) -> x.order() > y.order() ? x : y);
        }
        if (byPath) {
          byName.merge(f.getRelativePath(), new Named(2 * seq + 1, image), (x, y) -> x.order() > y.order() ? x : y);
        }
      }
    }

    byte[] get(String name) {
      Named n = byName.get(name);
      return n == null ? null : n.image();
    }
  }

  private static int writeBin(Path bin, List<Pair> pairs, NamedImages named, PackParams params) throws IOException {
    List<byte[]> images = new ArrayList<>();
    boolean[] flags = new boolean[pairs.size()];
    for (int i = 0; i < pairs.size(); i++) {
      Pair p = pairs.get(i);
      byte[] a = named.get(p.a());
      byte[] b = named.get(p.b());
      if (a == null || b == null) {
        throw new UserInputException(p.where(), "pair names " + (a == null ? p.a() : p.b()) + ", which is not an image of the input (or was rejected)");
      }
      // One array per slot: the pickle memoises an object met twice (a reference, not its bytes again),
      // and the .bin holds every pair's images as their own elements.
      images.add(a.clone());
      images.add(b.clone());
      flags[i] = p.same();
    }
    PickleWriter.ElementForm form = params.elements();
    StageFiles.replaceAtomically(bin, tmp -> new VerificationPack(images, flags).write(tmp, params.protocol(), form));
    return flags.length;
  }

  private static void writeRejects(Path output, List<Reject> rejects) {
    Path file = rejectsFile(output);
    try {
      if (rejects.isEmpty()) {
        Files.deleteIfExists(file);
        return;
      }
      List<String> lines = rejects.stream().map(WriteRejects::toJson).sorted().toList();
      StageFiles.writeAtomically(file, String.join("\n", lines) + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
