package dev.facebeam.runners;

import dev.facebeam.codec.recordio.IrHeader;
import dev.facebeam.codec.recordio.RecordIoDataset;
import dev.facebeam.codec.recordio.RecordIoIndex;
import dev.facebeam.codec.recordio.RecordIoReader;
import dev.facebeam.codec.recordio.RecordIoWriter;
import dev.facebeam.results.ResultRecord;
import dev.facebeam.results.ResultsStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The files and commands of {@link HostileInputSuiteTest}: one case per mistake or hostile input of
 * issue 23, each built from the real fixtures or the real tools' files (the ONNX models and images
 * in core's test resources, made by the onnx package, Pillow and OpenCV; a pickle CPython wrote).
 */
final class HostileFixtures {
  private final Path w;
  private final Path lfw;
  private final Path records;
  private final Path embeddings;

  private HostileFixtures(Path w, Path lfw, Path records, Path embeddings) {
    this.w = w;
    this.lfw = lfw;
    this.records = records;
    this.embeddings = embeddings;
  }

  /** The ORL faces (400): an ingest long enough to be caught in the middle. */
  Path orl() {
    return Cli.shared("orl");
  }

  static HostileFixtures make(Path w) throws Exception {
    Path lfw = Cli.shared("bin/small_lfw.bin");
    Path records = w.resolve("lfw-records");
    Path embeddings = w.resolve("lfw-embeddings");
    require(Cli.run("ingest", "--input=" + lfw, "--output=" + records, "--runner=DirectRunner"));
    require(Cli.run("embed", "--records=" + records, "--model=" + Cli.shared("models/faceplugin/fr_feature.onnx"), "--mean=127",
        "--output=" + embeddings, "--runner=DirectRunner"));
    return new HostileFixtures(w, lfw, records, embeddings);
  }

  private static void require(Cli.Run r) {
    if (r.status() != 0) {
      throw new IllegalStateException("fixture command failed: " + r.err());
    }
  }

  private Path out(String name) {
    return w.resolve("out").resolve(name);
  }

  private Path file(String relative, String text) throws IOException {
    Path p = w.resolve(relative);
    Files.createDirectories(p.getParent());
    return Files.writeString(p, text, StandardCharsets.UTF_8);
  }

  private Path resource(String coreResource, Path to) throws IOException {
    Files.createDirectories(to.getParent());
    return Files.copy(Path.of("../core/src/test/resources", coreResource), to);
  }

  private static Path npy(Path file, int rows, int cols, int nanRow, boolean cut) throws IOException {
    String header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + rows + ", " + cols + "), }";
    int total = 10 + header.length() + 1;
    int pad = (64 - total % 64) % 64;
    header = header + " ".repeat(pad) + "\n";
    ByteBuffer b = ByteBuffer.allocate(10 + header.length() + rows * cols * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0).putShort((short) header.length());
    b.put(header.getBytes(StandardCharsets.US_ASCII));
    java.util.Random r = new java.util.Random(rows * 31L + cols);
    for (int i = 0; i < rows * cols; i++) {
      b.putFloat(i / cols == nanRow ? Float.NaN : (float) r.nextGaussian());
    }
    byte[] bytes = b.array();
    Files.createDirectories(file.getParent());
    return Files.write(file, cut ? java.util.Arrays.copyOf(bytes, bytes.length - 100) : bytes);
  }

  private static String list(String prefix, int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append(prefix.formatted(i / 2, i)).append('\n');
    }
    return sb.toString();
  }

  List<HostileInputSuiteTest.CaseSpec> cases() throws Exception {
    List<HostileInputSuiteTest.CaseSpec> c = new ArrayList<>();
    String model = Cli.shared("models/faceplugin/fr_feature.onnx").toString();

    // --- Security and data loss: a model reads nothing outside its folder; a user's folders are never removed.
    Path models = Files.createDirectories(w.resolve("a/b/models"));
    file("a/secret.txt", "SECRET ".repeat(20));
    for (String m : List.of("escape.onnx", "absolute.onnx", "nested.onnx")) {
      resource("onnx/external/" + m, models.resolve(m));
      c.add(HostileInputSuiteTest.CaseSpec.error("ONNX external data: " + m, "is outside the model's folder", "embed",
          "--records=" + records, "--model=" + models.resolve(m), "--exportNpy=true", "--output=" + out("ext-" + m)));
    }
    Path linked = Files.createDirectories(w.resolve("a/b/linked"));
    resource("onnx/external/inside.onnx", linked.resolve("inside.onnx"));
    Files.createSymbolicLink(linked.resolve("weights.bin"), w.resolve("a/secret.txt"));
    c.add(HostileInputSuiteTest.CaseSpec.error("ONNX external data through a link", "is a link to", "embed", "--records=" + records,
        "--model=" + linked.resolve("inside.onnx"), "--output=" + out("ext-link")));
    Path folderModel = file("desc/model.json", "{\"file\": \"../../etc/hostname\", \"engine\": \"OnnxRuntime\"}").getParent();
    c.add(HostileInputSuiteTest.CaseSpec.error("model.json naming a file outside", "outside the model folder", "embed",
        "--records=" + records, "--model=" + folderModel, "--output=" + out("desc")));
    for (String temp : List.of(".out.inprogress-backup", ".out.inprogress-1f2e", ".out.replaced-0001")) {
      Path parent = w.resolve("users-" + temp.substring(1).replace('.', '-'));
      file(parent.resolve(temp).resolve("thesis.tex").toString(), "mine");
      c.add(HostileInputSuiteTest.CaseSpec.error("a user's folder named " + temp, "is named like a facebeam temporary", "ingest",
          "--input=" + lfw, "--output=" + parent.resolve("out")));
    }

    // --- A hang.
    Path trainConfig = Path.of("../configs/ir-small-softmax-orl.json").toAbsolutePath().normalize();
    c.add(HostileInputSuiteTest.CaseSpec.error("lr-probe --steps=0", "--steps: 0 is out of range", "lr-probe", "--config=" + trainConfig,
        "--dataset=" + w, "--output=" + out("probe"), "--steps=0"));

    // --- Silent wrong results.
    Path lst = w.resolve("lst");
    Files.createDirectories(lst);
    Files.copy(Cli.shared("orl/s1/1.pgm"), lst.resolve("a.pgm"));
    String far = "1e9 1e9 1e9 1e9 1e9\t-1e9 -1e9 -1e9 -1e9 -1e9";
    file("lst/far.lst", "0\ta.pgm\t0\t0 0 92 112\t" + far + "\n1\ta.pgm\t0\n");
    c.add(HostileInputSuiteTest.CaseSpec.reject("landmarks at 1e9 in a .lst", "lies outside the 92x112 image", out("far").resolve("rejects.jsonl"),
        "ingest", "--input=" + lst.resolve("far.lst"), "--output=" + out("far")));
    file("lst/label.lst", "0\ta.pgm\t-3\n0\ta.pgm\t1\n");
    c.add(HostileInputSuiteTest.CaseSpec.reject("a .lst label of -3", "label -3 is negative", out("lstlabel").resolve("rejects.jsonl"),
        "ingest", "--input=" + lst.resolve("label.lst"), "--output=" + out("lstlabel")));
    Path rec = labelledRec();
    c.add(HostileInputSuiteTest.CaseSpec.reject("a .rec label of -5", "label -5 is negative", out("rec1").resolve("rejects.jsonl"),
        "ingest", "--input=" + rec, "--output=" + out("rec1")));
    c.add(HostileInputSuiteTest.CaseSpec.reject("a .rec label of 1e20", "is too large to be a class index", out("rec2").resolve("rejects.jsonl"),
        "ingest", "--input=" + rec, "--output=" + out("rec2")));
    c.add(HostileInputSuiteTest.CaseSpec.reject("a .rec label above the property's classes", "is not below the 2 classes the property file declares",
        out("rec3").resolve("rejects.jsonl"), "ingest", "--input=" + rec, "--output=" + out("rec3")));
    Path store = resultsStore(7.5);
    c.add(HostileInputSuiteTest.CaseSpec.error("a results record with accuracy_flip 7.5", "metrics.accuracy_flip = 7.5 is not a rate in [0, 1]",
        "results", "--results=" + store));
    Path nanStore = resultsStore(Double.NaN);
    c.add(HostileInputSuiteTest.CaseSpec.error("a results record with a NaN", "not a results record this version wrote", "results",
        "--results=" + nanStore));
    Path empty = Files.createDirectories(w.resolve("empty-dataset"));
    c.add(HostileInputSuiteTest.CaseSpec.error("run config with \"targets\": []", "'targets' is empty", "run",
        "--config=" + file("cfg/empty.json", "{\"dataset\": \"" + empty + "\", \"targets\": [], \"model\": \"" + model + "\"}"),
        "--workdir=" + out("run-empty")));
    c.add(HostileInputSuiteTest.CaseSpec.error("a run config with \"mean\" twice", "key 'mean' is given twice", "run",
        "--config=" + file("cfg/twice.json", "{\"dataset\": \"" + empty + "\", \"targets\": [\"lfw\"], \"model\": \"" + model
            + "\", \"mean\": 127, \"mean\": 127.5}"), "--workdir=" + out("run-twice")));
    c.add(HostileInputSuiteTest.CaseSpec.error("evaluate over an empty folder", "holds none of the packs", "evaluate", "--dataset=" + empty,
        "--model=" + model, "--output=" + out("eval-empty")));
    Path edited = w.resolve("edited-embeddings");
    copyTree(embeddings, edited);
    Path manifest = edited.resolve("manifest.json");
    Files.writeString(manifest, Files.readString(manifest).replace("\"written\": 20", "\"written\": 19").replace("\"read\": 20", "\"read\": 19"));
    c.add(HostileInputSuiteTest.CaseSpec.error("verify of an edited manifest", "says written 19 but its", "verify", "--embeddings=" + edited,
        "--output=" + out("verify-edited")));
    Path frame = w.resolve("frame.bin");
    Files.write(frame, HexFormat.of().parseHex("8004950010a5d4e80000005d944302616294615d94886186942e"));
    c.add(HostileInputSuiteTest.CaseSpec.error("a pickle FRAME of 10^12 bytes", "frame.bin@byte=2: FRAME of 1000000000000 bytes", "ingest",
        "--input=" + frame, "--format=bin", "--output=" + out("frame")));
    Path fifoPack = Files.createDirectories(w.resolve("fifo-pack/a"));
    Files.copy(Cli.shared("orl/s1/1.pgm"), fifoPack.resolve("1.pgm"));
    new ProcessBuilder("mkfifo", fifoPack.resolve("2.jpg").toString()).start().waitFor();
    c.add(HostileInputSuiteTest.CaseSpec.reject("a FIFO in an identity folder", "not a regular file (a FIFO)", out("fifo").resolve("rejects.jsonl"),
        "ingest", "--input=" + fifoPack.getParent(), "--output=" + out("fifo")));

    Path latin = Files.createDirectories(w.resolve("latin1/p1"));
    Files.copy(Cli.shared("orl/s1/1.pgm"), latin.resolve("ok.pgm"));
    new ProcessBuilder("sh", "-c", "cp \"$1\" \"$2/$(printf 'caf\\351.pgm')\"", "sh", Cli.shared("orl/s1/2.pgm").toString(), latin.toString())
        .start().waitFor();
    c.add(HostileInputSuiteTest.CaseSpec.reject("a Latin-1 file name in a folder pack", "file-name encoding", out("latin1").resolve("rejects.jsonl"),
        "ingest", "--input=" + latin.getParent(), "--output=" + out("latin1")));

    // --- One line for every error: inside a Flink job, option values, paths, models.
    Path probes = npy(w.resolve("npy/probes.npy"), 6, 8, -1, false);
    Path probesList = file("npy/probes.txt", list("facescrub/p%d/p%d.jpg", 6));
    Path distList = file("npy/dist.txt", list("megaface/a/%d/%d.jpg", 20));
    for (Object[] d : new Object[][] {{"dist7.npy", 7, -1, false, "distractor feature of dimension 7"},
        {"dist-nan.npy", 8, 3, false, "dist-nan.npy@row=3"}, {"dist-cut.npy", 8, -1, true, "dist-cut.npy"}}) {
      Path npy = npy(w.resolve("npy").resolve((String) d[0]), 20, (int) d[1], (int) d[2], (boolean) d[3]);
      c.add(HostileInputSuiteTest.CaseSpec.error("megaface --distractorsNpy " + d[0], (String) d[4], "megaface", "--probesNpy=" + probes,
          "--probesList=" + probesList, "--distractorsNpy=" + npy, "--distractorsList=" + distList, "--output=" + out("mf-" + d[0])));
    }
    c.add(HostileInputSuiteTest.CaseSpec.error("--flinkMaster=127.0.0.1:1", "--flinkMaster=127.0.0.1:1: no Flink JobManager answers", "ingest",
        "--input=" + lfw, "--output=" + out("master"), "--flinkMaster=127.0.0.1:1"));
    String[][] flags = {
        {"--batchSize=abc", "--batchSize: 'abc' is not a whole number"}, {"--flip=maybe", "--flip: 'maybe' is not a yes/no value"},
        {"--mean=abc", "--mean: 'abc' is not a number"}, {"--scale=nan", "--scale: 'nan' is not a number"},
        {"--channelOrder=XYZ", "--channelOrder: 'XYZ' is not a channel order"}, {"--colour=blue", "--colour: no such option"},
        {"--parallelism=0", "--parallelism: '0' is not a number of parallel tasks"}, {"--modle=x", "did you mean --model?"}};
    for (String[] f : flags) {
      c.add(HostileInputSuiteTest.CaseSpec.error("embed " + f[0], f[1], "embed", "--records=" + records, "--model=" + model,
          "--output=" + out("flag-" + f[0].replaceAll("\\W", "")), f[0]));
    }
    c.add(HostileInputSuiteTest.CaseSpec.error("--input given twice", "--input is given twice", "ingest", "--input=" + lfw, "--input=" + lfw,
        "--output=" + out("twice")));
    c.add(HostileInputSuiteTest.CaseSpec.error("--input= (empty)", "--input: is empty", "ingest", "--input=", "--output=" + out("emptyin")));
    Path pairs = file("pairs.txt", "s1/1.pgm s1/2.pgm 1\n");
    for (String[] p : new String[][] {{"--protocol=1", "--protocol: 1 is out of range: 2 to 5"}, {"--quality=101", "--quality: 101 is out of range"},
        {"--elements=numpy --protocol=5", "--elements=numpy: numpy elements are written"}}) {
      List<String> args = new ArrayList<>(List.of("pack", "--input=" + orl(), "--pairs=" + pairs, "--output=" + out("pack" + p[0].replaceAll("\\W", "")) + ".bin"));
      args.addAll(List.of(p[0].split(" ")));
      c.add(new HostileInputSuiteTest.CaseSpec("pack " + p[0], HostileInputSuiteTest.Expectation.ERROR, p[1], args, null));
    }
    Path userFile = file("user/file.txt", "mine");
    c.add(HostileInputSuiteTest.CaseSpec.error("--output below a file", "is a file, not a folder", "ingest", "--input=" + lfw,
        "--output=" + userFile.resolve("sub")));
    c.add(HostileInputSuiteTest.CaseSpec.error("--output name of 300 bytes", "is 300 bytes long; file systems allow 255", "ingest",
        "--input=" + lfw, "--output=" + out("n".repeat(300))));
    c.add(HostileInputSuiteTest.CaseSpec.error("a typo in --input", "no such", "ingest", "--input=" + lfw + "x", "--output=" + out("typo")));
    Path unknownBlock = file("blockmodel/model.json", "{\"file\": \"m-0000.params\", \"block\": \"resnet-9000\", \"engine\": \"PyTorch\"}").getParent();
    Files.writeString(unknownBlock.resolve("m-0000.params"), "garbage");
    c.add(HostileInputSuiteTest.CaseSpec.error("model.json with an unknown block", unknownBlock.resolve("model.json") + ": no block named 'resnet-9000'",
        "embed", "--records=" + records, "--model=" + unknownBlock, "--output=" + out("block")));
    Path garbage = file("garbagemodel/model.json", "{\"file\": \"m-0000.params\", \"block\": \"mobilefacenet\", \"engine\": \"PyTorch\", \"embeddingSize\": 128}").getParent();
    Files.write(garbage.resolve("m-0000.params"), new byte[] {'P', 'T', '-', 'D', 'J', 'L', 1, 2, 3, 4, 5, 6, 7, 8});
    c.add(HostileInputSuiteTest.CaseSpec.error("a garbage .params", garbage.resolve("m-0000.params").toString(), "embed", "--records=" + records,
        "--model=" + garbage, "--output=" + out("garbage")));
    Path packs = Files.createDirectories(w.resolve("packs"));
    Path people = Files.createDirectories(w.resolve("people/s1"));
    Files.copy(Cli.shared("orl/s1/1.pgm"), people.resolve("1.pgm"));
    require(Cli.run("pack", "--input=" + people.getParent(), "--output=" + packs.resolve("a.rec")));
    c.add(HostileInputSuiteTest.CaseSpec.error("a second pack into the same folder", "listed in a.rec.manifest.json", "pack",
        "--input=" + people.getParent(), "--output=" + packs.resolve("b.rec")));

    // --- Odd but valid: handled, and nothing left behind.
    c.add(HostileInputSuiteTest.CaseSpec.valid("ingest with every default", "ingest", "--input=" + lfw, "--output=" + out("plain")));
    c.add(HostileInputSuiteTest.CaseSpec.valid("an output name of 250 bytes", "ingest", "--input=" + lfw, "--output=" + out("l".repeat(250))));
    Path cmyk = Files.createDirectories(w.resolve("modes/p1"));
    for (String m : List.of("cmyk.jpg", "ycck.jpg", "grey16.png", "orient-6.jpg", "palette.png")) {
      resource("images/modes/" + m, cmyk.resolve(m));
    }
    c.add(HostileInputSuiteTest.CaseSpec.valid("CMYK, YCCK, 16-bit, rotated and palette images", "ingest", "--input=" + cmyk.getParent(),
        "--output=" + out("modes")));
    c.add(HostileInputSuiteTest.CaseSpec.valid("verify with every default", "verify", "--embeddings=" + embeddings, "--output=" + out("verify")));
    return c;
  }

  /** A .rec of real JPEGs (AdaFace's) with labels 0, -5, 1e20, 2, 1 and a property declaring 2 classes. */
  private Path labelledRec() throws IOException {
    Path src = Cli.shared("rec/adaface/train.rec");
    RecordIoIndex idx = RecordIoIndex.read(RecordIoDataset.siblingIdx(src));
    List<byte[]> jpegs = new ArrayList<>();
    try (RecordIoReader r = new RecordIoReader(src)) {
      for (int i = 0; i < 5; i++) {
        jpegs.add(IrHeader.unpack(r.readAt(idx.offset(i)).payload(), "fixture").payload());
      }
    }
    Path dir = Files.createDirectories(w.resolve("labels"));
    Path rec = dir.resolve("train.rec");
    float[] labels = {0f, -5f, 1e20f, 2f, 1f};
    try (RecordIoWriter out = new RecordIoWriter(rec, RecordIoDataset.siblingIdx(rec))) {
      for (int k = 0; k < labels.length; k++) {
        out.write(k, IrHeader.scalar(labels[k], k).pack(jpegs.get(k)));
      }
    }
    Files.writeString(dir.resolve("property"), "2,112,112\n");
    return dir;
  }

  /** A results store whose one record has the given accuracy-flip. */
  private Path resultsStore(double accFlip) throws IOException {
    Path dir = w.resolve("store-" + Double.toString(accFlip).replace('.', '_'));
    ResultsStore store = ResultsStore.at("--results", dir.toString(), List.of());
    ResultRecord.Metrics m = new ResultRecord.Metrics(0.99, 0.01, 0.985, 0.01, 20.0, null, null, null, Map.of(), Map.of(), List.of());
    Path f = store.put(new ResultRecord("lfw", ResultRecord.VERIFICATION, "r50", "aaaa", "127.5/0.0078125/RGB", new TreeMap<>(Map.of("flip", "true")),
        new TreeMap<>(), m, null, 10L, 0L, "test", "2026-12-06T00:00:00Z", "x"));
    String text = Files.readString(f);
    Files.writeString(f, text.replace("\"accuracy_flip\": 0.985", "\"accuracy_flip\": " + (Double.isNaN(accFlip) ? "NaN" : accFlip)));
    return dir;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (var s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
  }
}
