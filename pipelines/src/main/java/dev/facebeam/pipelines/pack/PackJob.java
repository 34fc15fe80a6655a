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
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds packs: {@code .rec/.idx/property} as InsightFace's {@code dir2rec.py} lays them out, or a
 * verification {@code .bin}. It reads through the same pack readers and alignment as {@code ingest}
 * and writes sequentially (a pack is one file), so it runs in this JVM rather than as a pipeline.
 */
public final class PackJob {
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
    FacePack pack = PackOpener.open(params.input(), params.format(), params.imageRoot());
    List<FaceRecord> faces = new ArrayList<>();
    List<Reject> rejects = new ArrayList<>();
    for (Serializable task : pack.tasks()) {
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
    }
    long read = faces.size() + rejects.size();
    try {
      Files.createDirectories(output.getParent());
      Result r;
      List<Path> written = new ArrayList<>(List.of(output));
      if (name.endsWith(".rec")) {
        long ids = writeRec(output, faces, params);
        written.add(RecordIoDataset.siblingIdx(output));
        if (ids > 0) {
          written.add(output.resolveSibling("property"));
        }
        r = new Result(read, rejects.size(), faces.size(), ids, 0);
      } else {
        int pairs = writeBin(output, faces, params);
        r = new Result(read, rejects.size(), 2L * pairs, 0, pairs);
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

  private static long writeRec(Path rec, List<FaceRecord> faces, PackParams params) throws IOException {
    if (faces.isEmpty()) {
      throw new UserInputException(params.input().toString(), "nothing to pack: every input was rejected");
    }
    boolean header = params.header();
    if (header && faces.stream().anyMatch(f -> f.getLabel() < 0)) {
      throw new UserInputException(params.input().toString(), "--header=true needs a label on every image; pass --header=false for unlabelled images");
    }
    // Identities get contiguous keys and labels 0..C-1, in label order (dir2rec.py's layout).
    faces.sort(Comparator.comparingLong(FaceRecord::getLabel).thenComparingLong(FaceRecord::getIndex).thenComparing(FaceRecord::getId));
    TreeMap<Long, Long> remap = new TreeMap<>();
    for (FaceRecord f : faces) {
      remap.putIfAbsent(f.getLabel(), (long) remap.size());
    }
    Path idx = RecordIoDataset.siblingIdx(rec);
    // The pair is written side by side; the .idx is renamed into place just before the .rec.
    StageFiles.replaceAtomically(rec, tmpRec -> StageFiles.replaceAtomically(idx,
        tmpIdx -> writeRecordIo(tmpRec, tmpIdx, faces, remap, header, params)));
    long classes = faces.get(faces.size() - 1).getLabel() < 0 ? 0 : remap.size();
    if (classes > 0) {
      StageFiles.writeAtomically(rec.resolveSibling("property"), classes + ",112,112\n");
    }
    return classes;
  }

  private static void writeRecordIo(Path rec, Path idx, List<FaceRecord> faces, Map<Long, Long> remap, boolean header,
      PackParams params) throws IOException {
    try (RecordIoWriter w = new RecordIoWriter(rec, idx)) {
      long key = header ? 1 : 0;
      Map<Long, long[]> ranges = new HashMap<>();
      for (FaceRecord f : faces) {
        long label = f.getLabel() < 0 ? -1 : remap.get(f.getLabel());
        w.write(key, IrHeader.scalar(label, key).pack(imageBytes(f, params.quality())));
        if (label >= 0) {
          long[] r = ranges.computeIfAbsent(label, l -> new long[] {Long.MAX_VALUE, 0});
          r[0] = Math.min(r[0], key);
          r[1] = Math.max(r[1], key + 1);
        }
        key++;
      }
      if (header) {
        long first = key;
        long classes = remap.size();
        w.write(0, IrHeader.array(new float[] {first, first + classes}, 0).pack(new byte[0]));
        for (long c = 0; c < classes; c++) {
          long[] r = ranges.get(c);
          w.write(first + c, IrHeader.array(new float[] {r[0], r[1]}, first + c).pack(new byte[0]));
        }
      }
    }
  }

  private static int writeBin(Path bin, List<FaceRecord> faces, PackParams params) throws IOException {
    if (params.pairs() == null) {
      throw new UserInputException(bin.toString(), "a .bin needs --pairs=FILE (lines: <imageA> <imageB> <1|0>)");
    }
    Map<String, FaceRecord> byName = new HashMap<>();
    for (FaceRecord f : faces) {
      byName.put(f.getId(), f);
      if (!f.getRelativePath().isEmpty()) {
        byName.put(f.getRelativePath(), f);
      }
    }
    List<byte[]> images = new ArrayList<>();
    List<Boolean> issame = new ArrayList<>();
    Path pairs = params.pairs();
    List<String> lines = dev.facebeam.io.TextFiles.readLines(pairs);
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
      FaceRecord a = byName.get(f[0]);
      FaceRecord b = byName.get(f[1]);
      if (a == null || b == null) {
        throw new UserInputException(where, "pair names " + (a == null ? f[0] : f[1]) + ", which is not an image of the input (or was rejected)");
      }
      images.add(imageBytes(a, params.quality()));
      images.add(imageBytes(b, params.quality()));
      issame.add(f[2].equals("1"));
    }
    if (issame.isEmpty()) {
      throw new UserInputException(pairs.toString(), "no pairs");
    }
    boolean[] flags = new boolean[issame.size()];
    for (int i = 0; i < flags.length; i++) {
      flags[i] = issame.get(i);
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
