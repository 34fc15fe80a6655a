package dev.facebeam.pipelines.allpairs;

import dev.facebeam.UserInputException;
import dev.facebeam.codec.export.NpyMatrix;
import dev.facebeam.codec.export.NpyWriter;
import dev.facebeam.config.Options;
import dev.facebeam.io.OutputGuard;
import dev.facebeam.io.StageOutput;
import dev.facebeam.io.TextFiles;
import dev.facebeam.metrics.AllPairs;
import dev.facebeam.pipelines.figures.Charts;
import dev.facebeam.pipelines.results.StoreRecords;
import dev.facebeam.pipelines.stage.EngineSlots;
import dev.facebeam.pipelines.stage.InputDigests;
import dev.facebeam.pipelines.stage.StagePaths;
import dev.facebeam.pipelines.stage.Stages;
import dev.facebeam.proto.Embedding;
import dev.facebeam.proto.StageManifest;
import dev.facebeam.results.ResultsStore;
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
  private static final String ROWS = "_rows.npy";

  private AllPairsJob() {}

  /** The command line's all-pairs: its options made into parameters once; its numbers added to the results store. */
  public static AllPairsReport run(AllPairsOptions o) {
    AllPairsParams p = params(o);
    List<Path> inputs = new ArrayList<>(p.source().paths());
    inputs.add(p.groups());
    inputs.add(p.queries());
    ResultsStore store = StoreRecords.store(o, p.output(), inputs);
    AllPairsReport r = run(p, o);
    AllPairsReport.records(p.output()).forEach(store::put);
    return r;
  }

  /** The options as parameters: one form of embeddings, FARs and block side checked. */
  public static AllPairsParams params(AllPairsOptions o) {
    if ((o.getEmbeddings() == null) == (o.getEmbeddingsNpy() == null)) {
      throw new UserInputException("--embeddings", "give the embeddings one way: --embeddings=<embed output> or --embeddingsNpy=<file>"
          + " with --labels=<file>");
    }
    AllPairsParams.Source source;
    if (o.getEmbeddings() != null) {
      if (o.getLabels() != null) {
        throw new UserInputException("--labels", "goes with --embeddingsNpy: an embed output's records carry their labels");
      }
      source = new AllPairsParams.Embedded(Path.of(o.getEmbeddings()));
    } else {
      if (o.getLabels() == null) {
        throw new UserInputException("--labels", "--embeddingsNpy needs its label list (line i labels row i)");
      }
      source = new AllPairsParams.Npy(Path.of(o.getEmbeddingsNpy()), Path.of(o.getLabels()));
    }
    List<Double> far = Options.list(o.getFar()).stream().map(v -> Options.fraction("--far", v)).toList();
    if (far.isEmpty()) {
      throw new UserInputException("--far", "needs at least one value");
    }
    Options.number("--blockRows", Integer.toString(o.getBlockRows()), 1, 1 << 16);
    String engine = switch (o.getKernel()) {
      case "blas" -> "PyTorch";
      case CountPairBlocks.CANONICAL -> CountPairBlocks.CANONICAL;
      default -> throw new UserInputException("--kernel=" + o.getKernel(), "expected blas or canonical");
    };
    Path named = o.getEmbeddings() != null ? Path.of(o.getEmbeddings()) : Path.of(o.getEmbeddingsNpy());
    String benchmark = o.getBenchmark() != null ? o.getBenchmark()
        : named.getFileName() == null ? "all-pairs" : named.getFileName().toString().replaceFirst("\\.npy$", "");
    return new AllPairsParams(source, StagePaths.given(o.getGroups()), StagePaths.given(o.getQueries()), far, o.getFar(),
        o.getBlockRows(), engine, benchmark, Path.of(o.getOutput()));
  }

  /** Scores every pair on {@code runner} and commits the report; an error names the file and the row or line at fault. */
  public static AllPairsReport run(AllPairsParams p, PipelineOptions runner) {
    List<Path> inputs = new ArrayList<>(p.source().paths());
    if (p.groups() != null) {
      inputs.add(p.groups());
    }
    if (p.queries() != null) {
      inputs.add(p.queries());
    }
    Path target = OutputGuard.folder("--output", p.output().toString(), "all-pairs", inputs);
    StageManifest embed = p.source() instanceof AllPairsParams.Embedded e ? embedOutput(StagePaths.local(e.dir())) : null;
    double[] fars = p.far().stream().mapToDouble(Double::doubleValue).toArray();
    Rows given = p.source() instanceof AllPairsParams.Npy n ? npyRows(n) : null; // checked before any folder is made
    List<Path> hashed = new ArrayList<>(p.source() instanceof AllPairsParams.Npy n ? n.paths()
        : List.of(StagePaths.local(((AllPairsParams.Embedded) p.source()).dir()).resolve(StageOutput.MANIFEST)));
    hashed.addAll(inputs.subList(p.source().paths().size(), inputs.size())); // the groups and queries
    InputDigests digests = InputDigests.start(hashed);
    AllPairsReport[] report = new AllPairsReport[1];
    Stages.commit(target, "all-pairs", out -> {
      Rows rows = given != null ? given : embeddedRows((AllPairsParams.Embedded) p.source(), embed, out.work().resolve(ROWS),
          p.groups() != null || p.queries() != null);
      List<String> names = new ArrayList<>();
      int[] groups = p.groups() == null ? null : groups(p.groups(), rows, names);
      boolean[] queries = p.queries() == null ? null : queries(p.queries(), rows);
      AllPairs.Input in = new AllPairs.Input(new NpyRows(rows.npy().toString(), rows.d()), rows.labels(), groups, names, queries);
      List<AllPairs.Block> blocks = AllPairs.blocks(rows.n(), p.blockRows());
      AllPairs.Tally first = pass(runner, in, blocks, null, p.engine(), out.work(), out.target());
      AllPairs.Counted counted = new AllPairs.Counted();
      AllPairs.Resolution r;
      int passes = 1;
      while (!(r = AllPairs.resolve(first, counted, fars, names)).missing().isEmpty()) {
        counted.add(pass(runner, in, blocks, r.missing(), p.engine(), out.work(), out.target()));
        passes++;
      }
      Files.deleteIfExists(out.work().resolve(ROWS)); // the embed output's rows, laid out for the workers: not an output
      report[0] = AllPairsReport.of(p.benchmark(), rows.source(), rows.n(), rows.d(), r.results(), passes,
          queries == null ? AllPairsReport.ALL_TO_ALL : AllPairsReport.CROSS);
      report[0].write(out.work());
      roc(report[0], out.work().resolve("roc"));
      StageManifest.Builder b = Stages.manifest("all-pairs", rows.source(), rows.n(), rows.n(), 0, runner)
          .setFormat(embed == null ? "npy" : embed.getFormat())
          .setIdentities(Arrays.stream(rows.labels()).distinct().count())
          .setPairs(r.results().get("all").genuine() + r.results().get("all").impostor())
          .setPositivePairs(r.results().get("all").genuine());
      b.putParameters("far", p.farText());
      b.putParameters("block_rows", Integer.toString(p.blockRows()));
      b.putParameters("blocks", Integer.toString(blocks.size()));
      b.putParameters("passes", Integer.toString(passes));
      b.putParameters("groups", String.join(",", names));
      b.putParameters("mode", report[0].mode());
      b.putParameters("kernel", CountPairBlocks.CANONICAL.equals(p.engine()) ? "canonical" : "blas");
      if (embed != null) {
        Stages.describeModel(embed, b);
      } else {
        AllPairsParams.Npy n = (AllPairsParams.Npy) p.source();
        Stages.describeFeatures(n.matrix().getFileName().toString().replaceFirst("\\.npy$", ""), digests.sha256(n.matrix()), b);
      }
      b.addAllInputs(digests.all());
      return b;
    });
    return report[0];
  }

  /**
   * The labelled rows the workers read: a .npy file (the user's, or the embed output's laid out in the
   * work folder), its labels, and each row's names for a group file (its number; for an embed output
   * also its record id and relative path).
   */
  private record Rows(Path npy, int n, int d, long[] labels, Map<String, Integer> names, String source) {}

  private static Rows npyRows(AllPairsParams.Npy p) {
    Path npy = StagePaths.local(p.matrix());
    NpyMatrix m = NpyMatrix.open(npy);
    if (m.rows() > Integer.MAX_VALUE - 8) {
      throw new UserInputException(npy.toString(), m.rows() + " rows: more than one run takes");
    }
    int n = (int) m.rows();
    return new Rows(npy, n, m.cols(), labels(p.labels(), n, npy), null, p.matrix().toString());
  }

  private static StageManifest embedOutput(Path dir) {
    StageManifest m = StageOutput.requireIntact(dir);
    if (!m.getStage().equals("embed")) {
      throw new UserInputException(dir.toString(), "is the output of '" + m.getStage() + "', not of embed");
    }
    if (m.getWritten() > Integer.MAX_VALUE - 8) {
      throw new UserInputException(dir.toString(), m.getWritten() + " embeddings: more than one run takes");
    }
    return m;
  }

  /** An embed output's rows as a .npy in the work folder, one shard in memory at a time; their labels, and names if {@code named}. */
  private static Rows embeddedRows(AllPairsParams.Embedded p, StageManifest m, Path npy, boolean named) throws IOException {
    Path dir = StagePaths.local(p.dir());
    int n = (int) m.getWritten();
    long[] labels = new long[n];
    Map<String, Integer> names = new HashMap<>();
    int row = 0;
    int d = -1;
    NpyWriter w = null;
    try {
      for (String shard : m.getShardsList()) {
        for (Embedding e : Stages.readShard(dir.resolve(shard), Embedding.parser())) {
          if (d < 0) {
            d = e.getVectorCount();
            w = new NpyWriter(npy, n, d);
          }
          String where = dir.resolve(shard) + "#id=" + e.getId();
          if (e.getVectorCount() != d) {
            throw new UserInputException(where, "an embedding of dimension " + e.getVectorCount() + ", the others have " + d);
          }
          if (e.getLabel() < 0) {
            throw new UserInputException(where, "has no identity label: all-pairs needs a labelled pack (.rec, identity folders, a"
                + " labelled .lst)");
          }
          if (row == n) {
            throw new UserInputException(dir.toString(), "its shards hold more embeddings than the manifest's " + n);
          }
          w.write(e.getVectorList());
          labels[row] = e.getLabel();
          if (named) { // a group file names images by record id or relative path: only then are they kept
            names.put(e.getId(), row);
            if (!e.getRelativePath().isEmpty()) {
              names.put(e.getRelativePath(), row);
            }
          }
          row++;
        }
      }
    } finally {
      if (w != null) {
        w.close();
      }
    }
    if (row != n || n == 0) {
      throw new UserInputException(dir.toString(), "its shards hold " + row + " embeddings, its manifest says " + n);
    }
    return new Rows(npy, n, d, labels, names, p.dir().toString());
  }

  /** One pass over every block on the runner: the tally the workers' counts add up to. */
  private static AllPairs.Tally pass(PipelineOptions runner, AllPairs.Input in, List<AllPairs.Block> blocks, List<AllPairs.Want> bins,
      String engine, Path work, Path output) throws IOException {
    int threads = EngineSlots.of(runner).threads();
    Stages.runToCompletion(runner, new Pass(in, blocks, bins, engine, threads, work.toString()), "AllPairs", output);
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
    private final List<AllPairs.Want> bins;
    private final String engine;
    private final int threads;
    private final String work;

    Pass(AllPairs.Input in, List<AllPairs.Block> blocks, List<AllPairs.Want> bins, String engine, int threads, String work) {
      this.in = in;
      this.blocks = blocks;
      this.bins = bins;
      this.engine = engine;
      this.threads = threads;
      this.work = work;
    }

    @Override
    public PDone expand(PBegin begin) {
      begin.apply("Blocks", Create.of(blocks).withCoder(SerializableCoder.of(AllPairs.Block.class)))
          .apply("Count", new CountPairBlocks(in, bins, engine, threads))
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

  /**
   * '<image>\t<group>' per line, the image a row number (a .npy) or a record id or relative path (an
   * embed output); an image named twice or not in the embeddings is an error naming the line. Groups
   * in name order.
   */
  static int[] groups(Path file, Rows rows, List<String> names) {
    List<String> lines = lines(file);
    String[] of = new String[rows.n()];
    TreeSet<String> seen = new TreeSet<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split("\t");
      String where = file + ":" + (i + 1);
      if (f.length != 2 || f[0].isBlank() || f[1].isBlank()) {
        throw new UserInputException(where, "expected '<image>\\t<group>', got '" + line + "'");
      }
      int row = rowOf(f[0].strip(), rows, where);
      if (of[row] != null) {
        throw new UserInputException(where, "names " + f[0].strip() + " a second time");
      }
      of[row] = f[1].strip();
      seen.add(of[row]);
    }
    names.addAll(seen);
    int[] groups = new int[rows.n()];
    for (int r = 0; r < rows.n(); r++) {
      groups[r] = of[r] == null ? -1 : names.indexOf(of[r]);
    }
    return groups;
  }

  /**
   * Cross mode's query images, one per line (named as in a group file); an image named twice or not
   * in the embeddings is an error naming the line, and so is a query set that leaves no genuine pair
   * (no query shares an identity with a non-query image).
   */
  static boolean[] queries(Path file, Rows rows) {
    List<String> lines = lines(file);
    boolean[] q = new boolean[rows.n()];
    int named = 0;
    for (int i = 0; i < lines.size(); i++) {
      String image = lines.get(i).strip();
      if (image.isEmpty()) {
        continue;
      }
      String where = file + ":" + (i + 1);
      int row = rowOf(image, rows, where);
      if (q[row]) {
        throw new UserInputException(where, "names " + image + " a second time");
      }
      q[row] = true;
      named++;
    }
    if (named == 0 || named == rows.n()) {
      throw new UserInputException(file.toString(), "names " + (named == 0 ? "no image" : "every image")
          + ": cross mode needs queries and other images");
    }
    java.util.Set<Long> queried = new java.util.HashSet<>();
    for (int r = 0; r < rows.n(); r++) {
      if (q[r]) {
        queried.add(rows.labels()[r]);
      }
    }
    for (int r = 0; r < rows.n(); r++) {
      if (!q[r] && queried.contains(rows.labels()[r])) {
        return q;
      }
    }
    throw new UserInputException(file.toString(), "no query shares an identity with an image outside it: cross mode would"
        + " have no genuine pair");
  }

  private static int rowOf(String image, Rows rows, String where) {
    if (rows.names() != null) {
      Integer row = rows.names().get(image);
      if (row == null) {
        throw new UserInputException(where, "names " + image + ", which is no embedding of " + rows.source());
      }
      return row;
    }
    int row;
    try {
      row = Integer.parseInt(image);
    } catch (NumberFormatException e) {
      throw new UserInputException(where, "'" + image + "' is not a row number of " + rows.npy());
    }
    if (row < 0 || row >= rows.n()) {
      throw new UserInputException(where, "names row " + row + ", but " + rows.npy() + " has " + rows.n() + " rows");
    }
    return row;
  }

  private static List<String> lines(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new UserInputException(file.toString(), "no such file");
    }
    try {
      return TextFiles.readListLines(file);
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
