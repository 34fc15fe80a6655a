package dev.facebeam.codec.features;

import dev.facebeam.UserInputException;
import dev.facebeam.codec.export.DevkitFeature;
import dev.facebeam.codec.export.NpyMatrix;
import dev.facebeam.codec.pack.MegaFacePack;
import dev.facebeam.codec.pack.TextSlice;
import dev.facebeam.proto.Embedding;
import dev.facebeam.proto.Role;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One worker's share of the distractor set, in whichever form it was given: a shard of an
 * {@code embed} output, lines of {@code megaface_lst} with devkit feature files, or rows of a NumPy
 * matrix beside its list. Each is read straight into unit vectors with its 0-based list position (the
 * sizes are "the first N of the list") and its noise flag; no per-distractor record crosses workers.
 */
public sealed interface DistractorSlice extends Serializable {

  /** Receives the distractors of a slice. */
  /** Where the distractor at a 0-based list position comes from, for error messages. */
  String where(long listIndex);

  interface Sink {
    /** A distractor: its 0-based list position, its noise flag and its unit vector at {@code v[offset..offset+d)}. */
    void accept(long listIndex, boolean noisy, float[] v, int offset, int d);

    /** A list entry whose feature file is missing, skipped on request. */
    void missing();
  }

  /** Reads the slice; {@code noise} holds the megaface_noises.txt keys ({@code <a1>/<a2>/<file>}). */
  void read(Set<String> noise, Sink sink);

  /** Lines per slice of a list: small enough to balance workers, large enough to amortise a task. */
  int LINES_PER_SLICE = 10_000;

  /** The DISTRACTOR records of one embed-output shard; their noise flags came from ingest. */
  record EmbedShard(String file) implements DistractorSlice {
    @Override
    public String where(long listIndex) {
      return file + "#distractor=" + (listIndex + 1);
    }

    @Override
    public void read(Set<String> noise, Sink sink) {
      float[] v = new float[0];
      try (InputStream in = new BufferedInputStream(Files.newInputStream(Path.of(file)), 1 << 16)) {
        Embedding e;
        while ((e = Embedding.parseDelimitedFrom(in)) != null) {
          if (e.getRole() != Role.DISTRACTOR) {
            continue;
          }
          int d = e.getVectorCount();
          if (v.length != d) {
            v = new float[d];
          }
          for (int i = 0; i < d; i++) {
            v[i] = e.getVector(i);
          }
          sink.accept(e.getIndex() - 1, e.getNoisy(), v, 0, d); // list lines are numbered from 1
        }
      } catch (IOException ex) {
        throw new UserInputException(file, "cannot read embed shard: " + ex.getMessage(), ex);
      }
    }
  }

  /** megaface_lst lines and their {@code <features>/<a1>/<a2>/<file>_<algo>.bin} files, as run.sh gives them to the devkit. */
  record DevkitLines(TextSlice lines, String features, String algo, boolean skipMissing) implements DistractorSlice {
    @Override
    public String where(long listIndex) {
      return lines.path() + ":" + (listIndex + 1) + " (its feature file under " + features + ")";
    }

    @Override
    public void read(Set<String> noise, Sink sink) {
      for (TextSlice.Line line : lines.lines()) {
        String[] parts = MegaFacePack.tail(line.text().strip(), 3);
        if (parts == null) {
          if (line.text().isBlank()) {
            continue;
          }
          throw new UserInputException(lines.path() + ":" + line.number(), "a megaface_lst path needs <a1>/<a2>/<file>: " + line.text());
        }
        String rel = String.join("/", parts);
        Path file = Path.of(features).resolve(DevkitFeature.fileName(rel, algo));
        if (!Files.isRegularFile(file)) {
          if (skipMissing) {
            sink.missing();
            continue;
          }
          throw new UserInputException(file.toString(), "feature file missing for " + lines.path() + ":" + line.number()
              + " (pass --skipMissing to count and skip)");
        }
        float[] v = DevkitFeature.readUnit(file);
        sink.accept(line.number() - 1, noise.contains(rel), v, 0, v.length);
      }
    }
  }

  /** Rows of a NumPy matrix: list line i names row i - 1. */
  record NpyRows(String npy, TextSlice lines) implements DistractorSlice {
    @Override
    public String where(long listIndex) {
      return npy + "@row=" + listIndex;
    }

    @Override
    public void read(Set<String> noise, Sink sink) {
      NpyMatrix m = NpyMatrix.open(Path.of(npy));
      List<TextSlice.Line> ls = lines.lines();
      if (ls.isEmpty()) {
        return;
      }
      int d = m.cols();
      long first = ls.get(0).number() - 1;
      float[] rows = new float[ls.size() * d];
      m.readRows(first, ls.size(), rows, 0);
      UnitVector.normaliseRows(rows, 0, ls.size(), d, r -> npy + "@row=" + (first + r));
      for (int r = 0; r < ls.size(); r++) {
        sink.accept(first + r, !noise.isEmpty() && noise.contains(key(ls.get(r).text(), 3)), rows, r * d, d);
      }
    }
  }

  /** The key a noise list uses for a list line: its last {@code parts} path parts. */
  private static String key(String line, int parts) {
    String[] tail = MegaFacePack.tail(line.strip(), parts);
    return tail == null ? line.strip() : String.join("/", tail);
  }

  /** Slices of an embed output's shards. */
  static List<DistractorSlice> embedShards(List<Path> shards) {
    List<DistractorSlice> out = new ArrayList<>();
    shards.forEach(s -> out.add(new EmbedShard(s.toAbsolutePath().toString())));
    return out;
  }

  /** Slices of a megaface_lst with devkit feature files. */
  static List<DistractorSlice> devkit(Path list, String features, String algo, boolean skipMissing) {
    List<DistractorSlice> out = new ArrayList<>();
    TextSlice.plan(list, LINES_PER_SLICE).forEach(t -> out.add(new DevkitLines(t, features, algo, skipMissing)));
    return out;
  }

  /** Slices of a NumPy matrix and its list; the list must have exactly one line per row. */
  static List<DistractorSlice> npy(Path npy, Path list) {
    NpyMatrix m = NpyMatrix.open(npy);
    List<TextSlice> slices = TextSlice.plan(list, LINES_PER_SLICE);
    long lines = slices.stream().mapToLong(TextSlice::count).sum();
    if (lines != m.rows()) {
      throw new UserInputException(list.toString(), "has " + lines + " lines but " + npy + " has " + m.rows() + " rows (row i is line i)");
    }
    List<DistractorSlice> out = new ArrayList<>();
    slices.forEach(t -> out.add(new NpyRows(npy.toAbsolutePath().toString(), t)));
    return out;
  }
}
