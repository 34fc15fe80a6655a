package dev.facebeam.pipelines.allpairs;

import dev.facebeam.UserInputException;
import dev.facebeam.codec.export.NpyMatrix;
import dev.facebeam.config.Options;
import dev.facebeam.io.Digests;
import dev.facebeam.io.OutputGuard;
import dev.facebeam.io.TextFiles;
import dev.facebeam.metrics.AllPairs;
import dev.facebeam.pipelines.figures.Charts;
import dev.facebeam.pipelines.stage.StagePaths;
import dev.facebeam.pipelines.stage.Stages;
import dev.facebeam.proto.StageManifest;
import dev.facebeam.transforms.CountPairBlocks;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PDone;

/**
 * {@code all-pairs}: every image of a labelled set against every other (IFRT's 1:1, docs/allpairs.md).
 * The blocks of the upper triangle are the pipeline's elements, each worker reading only its
 * blocks' rows of the matrix; the passes bring back counts, never scores, and the exact points are
 * found here from them.
 */
public final class AllPairsJob {
  private static final String TALLY = "_tally.ser";

  private AllPairsJob() {}

  /** The command line's all-pairs: its options made into parameters once. */
  public static AllPairsReport run(AllPairsOptions o) {
    return run(params(o), o);
  }

  /** The options as parameters: FARs and block side checked. */
  public static AllPairsParams params(AllPairsOptions o) {
    List<Double> far = Options.list(o.getFar()).stream().map(v -> Options.fraction("--far", v)).toList();
    if (far.isEmpty()) {
      throw new UserInputException("--far", "needs at least one value");
    }
    Options.number("--blockRows", Integer.toString(o.getBlockRows()), 1, 1 << 16);
    return new AllPairsParams(Path.of(o.getEmbeddingsNpy()), Path.of(o.getLabels()), StagePaths.given(o.getGroups()), far,
        o.getFar(), o.getBlockRows(), Path.of(o.getOutput()));
  }

  /** Scores every pair on {@code runner} and commits the report; an error names the file and the row or line at fault. */
  public static AllPairsReport run(AllPairsParams p, PipelineOptions runner) {
    List<Path> inputs = new ArrayList<>(List.of(p.embeddingsNpy(), p.labels()));
    if (p.groups() != null) {
      inputs.add(p.groups());
    }
    Path target = OutputGuard.folder("--output", p.output().toString(), "all-pairs", inputs);
    Path npy = StagePaths.local(p.embeddingsNpy());
    NpyMatrix m = NpyMatrix.open(npy);
    if (m.rows() > Integer.MAX_VALUE - 8) {
      throw new UserInputException(npy.toString(), m.rows() + " rows: more than one run takes");
    }
    int n = (int) m.rows();
    long[] labels = labels(p.labels(), n, npy);
    List<String> names = new ArrayList<>();
    int[] groups = p.groups() == null ? null : groups(p.groups(), n, npy, names);
    AllPairs.Input in = new AllPairs.Input(new NpyRows(npy.toString(), m.cols()), labels, groups, names);
    List<AllPairs.Block> blocks = AllPairs.blocks(n, p.blockRows());
    double[] fars = p.far().stream().mapToDouble(Double::doubleValue).toArray();
    AllPairsReport[] report = new AllPairsReport[1];
    Stages.commit(target, "all-pairs", out -> {
      AllPairs.Tally first = pass(runner, in, blocks, null, out.work(), out.target());
      AllPairs.Counted counted = new AllPairs.Counted();
      AllPairs.Resolution r;
      int passes = 1;
      while (!(r = AllPairs.resolve(first, counted, fars, names)).missing().isEmpty()) {
        counted.add(pass(runner, in, blocks, r.missing(), out.work(), out.target()));
        passes++;
      }
      report[0] = AllPairsReport.of(p.embeddingsNpy().toString(), n, m.cols(), r.results(), passes);
      report[0].write(out.work());
      roc(report[0], out.work().resolve("roc"));
      StageManifest.Builder b = Stages.manifest("all-pairs", p.embeddingsNpy().toString(), n, n, 0, runner)
          .setFormat("npy")
          .setIdentities(Arrays.stream(labels).distinct().count())
          .setPairs((long) n * (n - 1) / 2)
          .setPositivePairs(r.results().get("all").genuine());
      b.putParameters("far", p.farText());
      b.putParameters("block_rows", Integer.toString(p.blockRows()));
      b.putParameters("blocks", Integer.toString(blocks.size()));
      b.putParameters("passes", Integer.toString(passes));
      b.putParameters("groups", String.join(",", names));
      Stages.describeFeatures(p.embeddingsNpy().getFileName().toString().replaceFirst("\\.npy$", ""), Digests.sha256(npy), b);
      for (Path f : inputs) {
        b.addInputs(Digests.of(f, f.toString(), Long.MAX_VALUE));
      }
      return b;
    });
    return report[0];
  }

  /** One pass over every block on the runner: the tally the workers' counts add up to. */
  private static AllPairs.Tally pass(PipelineOptions runner, AllPairs.Input in, List<AllPairs.Block> blocks, Set<Long> bins, Path work,
      Path output) throws IOException {
    Stages.runToCompletion(runner, new Pass(in, blocks, bins, work.toString()), "AllPairs", output);
    Path file = work.resolve(TALLY);
    try (ObjectInputStream s = new ObjectInputStream(Files.newInputStream(file))) {
      return (AllPairs.Tally) s.readObject();
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /** The blocks counted by the workers; the one added tally written to the work folder. */
  static final class Pass extends PTransform<PBegin, PDone> {
    private final AllPairs.Input in;
    private final List<AllPairs.Block> blocks;
    private final TreeSet<Long> bins;
    private final String work;

    Pass(AllPairs.Input in, List<AllPairs.Block> blocks, Set<Long> bins, String work) {
      this.in = in;
      this.blocks = blocks;
      this.bins = bins == null ? null : new TreeSet<>(bins);
      this.work = work;
    }

    @Override
    public PDone expand(PBegin begin) {
      begin.apply("Blocks", Create.of(blocks).withCoder(SerializableCoder.of(AllPairs.Block.class)))
          .apply("Count", new CountPairBlocks(in, bins))
          .apply("Keep", ParDo.of(new DoFn<AllPairs.Tally, Void>() {
            @ProcessElement
            public void process(@Element AllPairs.Tally t) throws IOException {
              try (ObjectOutputStream s = new ObjectOutputStream(Files.newOutputStream(Path.of(work, TALLY)))) {
                s.writeObject(t);
              }
            }
          }));
      return PDone.in(begin.getPipeline());
    }
  }

  /** One integer label per line, line i for row i; trailing blank lines name nothing. */
  static long[] labels(Path file, int rows, Path npy) {
    List<String> lines = lines(file);
    if (lines.size() != rows) {
      throw new UserInputException(file.toString(), "has " + lines.size() + " labels but " + npy + " has " + rows
          + " rows (line i labels row i)");
    }
    long[] labels = new long[rows];
    for (int i = 0; i < rows; i++) {
      try {
        labels[i] = Long.parseLong(lines.get(i).strip());
      } catch (NumberFormatException e) {
        throw new UserInputException(file + ":" + (i + 1), "'" + lines.get(i).strip() + "' is not an integer label");
      }
    }
    return labels;
  }

  /** '<row>\t<group>' per line; a row named twice or beyond the matrix is an error naming the line. Groups in name order. */
  static int[] groups(Path file, int rows, Path npy, List<String> names) {
    List<String> lines = lines(file);
    String[] of = new String[rows];
    TreeSet<String> seen = new TreeSet<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split("\t");
      String where = file + ":" + (i + 1);
      int row;
      try {
        row = f.length == 2 ? Integer.parseInt(f[0].strip()) : -1;
      } catch (NumberFormatException e) {
        row = -1;
      }
      if (f.length != 2 || f[1].isBlank() || row < 0) {
        throw new UserInputException(where, "expected '<row>\\t<group>', got '" + line + "'");
      }
      if (row >= rows) {
        throw new UserInputException(where, "names row " + row + ", but " + npy + " has " + rows + " rows");
      }
      if (of[row] != null) {
        throw new UserInputException(where, "names row " + row + " a second time");
      }
      of[row] = f[1].strip();
      seen.add(of[row]);
    }
    names.addAll(seen);
    int[] groups = new int[rows];
    for (int r = 0; r < rows; r++) {
      groups[r] = of[r] == null ? -1 : names.indexOf(of[r]);
    }
    return groups;
  }

  private static List<String> lines(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new UserInputException(file.toString(), "no such file");
    }
    try {
      List<String> out = new ArrayList<>(TextFiles.readLines(file));
      while (!out.isEmpty() && out.get(out.size() - 1).isBlank()) {
        out.remove(out.size() - 1);
      }
      return out;
    } catch (IOException e) {
      throw new UserInputException(file.toString(), "cannot read: " + e.getMessage(), e);
    }
  }

  /** The sets' points on a log FAR axis, one curve per set. */
  private static void roc(AllPairsReport r, Path base) throws IOException {
    List<Charts.Curve> curves = new ArrayList<>();
    for (AllPairsReport.SetReport s : r.sets()) {
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      s.tarAtFar().values().forEach(p -> {
        if (p != null && p.far() != null && p.tar() != null) {
          x.add(p.far());
          y.add(p.tar());
        }
      });
      curves.add(new Charts.Curve(s.name(), x, y));
    }
    Charts.roc("All-to-all ROC at the target FARs", curves, null, base);
  }
}
