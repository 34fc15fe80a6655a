package dev.facebeam.ijb;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.facebeam.UserInputException;
import dev.facebeam.codec.export.NpyMatrix;
import dev.facebeam.metrics.RocCurve;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The IJB arithmetic against the numbers InsightFace's scripts give on a synthetic testsuite in the
 * real layout (src/test/resources/ijb: 300 subjects, 5,143 faces with video frames, 20,933 pairs;
 * made by make_ijb.py, which runs the scripts' functions as written with numpy 2 and scikit-learn), every mode.
 */
public class IjbProtocolTest {
  @ClassRule public static TemporaryFolder tmp = new TemporaryFolder();
  static Path meta;
  static IjbFaces faces;
  static IjbPairs pairs;
  static float[][] rows;
  static JsonObject expected;

  @BeforeClass
  public static void unpack() throws Exception {
    meta = Files.createDirectories(tmp.getRoot().toPath().resolve("IJBC/meta"));
    for (String f : new String[] {"ijbc_name_5pts_score.txt", "ijbc_face_tid_mid.txt", "ijbc_template_pair_label.txt",
        "ijbc_1N_gallery_G1.csv", "ijbc_1N_gallery_G2.csv", "ijbc_1N_probe_mixed.csv"}) {
      try (InputStream in = new GZIPInputStream(resource("IJBC/meta/" + f + ".gz"))) {
        Files.write(meta.resolve(f), in.readAllBytes());
      }
    }
    faces = IjbFaces.read(meta.resolve("ijbc_name_5pts_score.txt"), meta.resolve("ijbc_face_tid_mid.txt"));
    pairs = IjbPairs.read(meta.resolve("ijbc_template_pair_label.txt"));
    Path npy = tmp.getRoot().toPath().resolve("features.npy");
    try (InputStream in = resource("features.npy")) {
      Files.write(npy, in.readAllBytes());
    }
    NpyMatrix m = NpyMatrix.open(npy);
    rows = new float[(int) m.rows()][m.cols()];
    for (int i = 0; i < rows.length; i++) {
      m.readRows(i, 1, rows[i], 0);
    }
    try (InputStream in = resource("expected.json")) {
      expected = JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
    }
  }

  static InputStream resource(String name) {
    return IjbProtocolTest.class.getResourceAsStream("/ijb/" + name);
  }

  static float[][] imageFeatures(IjbMode mode) {
    float[][] x = new float[rows.length][];
    for (int i = 0; i < x.length; i++) {
      x[i] = TemplatePooling.imageFeature(rows[i], faces.faceness()[i], mode, false);
    }
    return x;
  }

  static double[] scores(TemplatePooling.Templates t) {
    double[] s = new double[pairs.size()];
    for (int i = 0; i < s.length; i++) {
      s[i] = dev.facebeam.metrics.NumpySums.dot(t.vectors()[t.row(pairs.first()[i])], t.vectors()[t.row(pairs.second()[i])]);
    }
    return s;
  }

  @Test
  public void theWholeEvaluationFromTheFolderAndTheFeatureFileGivesTheDefaultModesNumbers() throws Exception {
    Path features = tmp.getRoot().toPath().resolve("features.npy");
    IjbEvaluation.Result r = IjbEvaluation.run(IjbTestsuite.open(meta.getParent(), null), IjbEvaluation.npy(features), IjbMode.DEFAULT, false);
    assertEquals("IJBC", r.suite().target());
    JsonObject want = expected.getAsJsonObject("modes").getAsJsonObject("N1D1F2");
    assertEquals(want.get("templates").getAsInt(), r.templates());
    assertEquals(want.getAsJsonObject("one_to_one").getAsJsonObject("tar_at_far").get("0.0001").getAsDouble(),
        r.roc().insightFaceTar(1e-4), 0.0);
    assertEquals(want.getAsJsonObject("one_to_n").get("top1").getAsDouble(), r.oneToN().top1(), 0.0);
    // Features that do not fit the face list are an error naming the file.
    Path wrong = tmp.getRoot().toPath().resolve("wrong.npy");
    try (dev.facebeam.codec.export.NpyWriter w = new dev.facebeam.codec.export.NpyWriter(wrong, 3, 4)) {
      w.write(new float[12]);
    }
    assertThat(assertThrows(UserInputException.class, () -> IjbEvaluation.run(IjbTestsuite.open(meta.getParent(), null), IjbEvaluation.npy(wrong),
        IjbMode.DEFAULT, false)).getMessage(), containsString("wrong.npy: has 3 rows but"));
    // A NaN feature is an error naming the file and row, not a NaN score.
    Path nan = tmp.getRoot().toPath().resolve("nan.npy");
    try (dev.facebeam.codec.export.NpyWriter w = new dev.facebeam.codec.export.NpyWriter(nan, rows.length, rows[0].length)) {
      for (int i = 0; i < rows.length; i++) {
        float[] row = rows[i].clone();
        if (i == 7) {
          row[3] = Float.NaN;
        }
        w.write(row);
      }
    }
    assertThat(assertThrows(UserInputException.class, () -> IjbEvaluation.run(IjbTestsuite.open(meta.getParent(), null),
        IjbEvaluation.npy(nan), IjbMode.DEFAULT, false)).getMessage(), containsString("nan.npy@row=7: holds a value that is not a finite number"));
  }

  @Test
  public void theListsReadAsWritten() {
    assertEquals(expected.get("faces").getAsInt(), faces.size());
    assertEquals(expected.get("pairs").getAsInt(), pairs.size());
    assertEquals(expected.get("genuine").getAsLong(), pairs.genuine());
    assertEquals(10, faces.landmarks()[0].length);
  }

  @Test
  public void scoresEqualTheScriptsToTheLastBit() throws Exception {
    TemplatePooling.Templates t = TemplatePooling.pool(imageFeatures(IjbMode.DEFAULT), faces.templates(), faces.medias(),
        TemplatePooling.unique(faces.templates()), TemplatePooling.Norm.SKLEARN, "faces");
    double[] ours = scores(t);
    byte[] npy;
    try (InputStream in = resource("scores_N1D1F2.npy")) {
      npy = in.readAllBytes();
    }
    int header = 10 + (npy[8] & 0xff) + ((npy[9] & 0xff) << 8);
    ByteBuffer b = ByteBuffer.wrap(npy, header, npy.length - header).order(ByteOrder.LITTLE_ENDIAN);
    double[] theirs = new double[ours.length];
    for (int i = 0; i < theirs.length; i++) {
      theirs[i] = b.getDouble();
    }
    assertArrayEquals(theirs, ours, 0.0);
  }

  @Test
  public void everyModesTarTableAucAndIdentificationEqualTheScripts() {
    for (String name : expected.getAsJsonObject("modes").keySet()) {
      IjbMode mode = IjbMode.parse("--mode", name);
      assertEquals(name, mode.toString());
      JsonObject want = expected.getAsJsonObject("modes").getAsJsonObject(name);
      float[][] x = imageFeatures(mode);
      TemplatePooling.Templates t = TemplatePooling.pool(x, faces.templates(), faces.medias(),
          TemplatePooling.unique(faces.templates()), TemplatePooling.Norm.SKLEARN, "faces");
      assertEquals(name, want.get("templates").getAsInt(), t.ids().length);
      RocCurve roc = RocCurve.of(scores(t), pairs.label());
      JsonObject oneToOne = want.getAsJsonObject("one_to_one");
      assertEquals(name, oneToOne.get("vertices").getAsInt(), roc.fpr().length);
      assertEquals(name, oneToOne.get("auc").getAsDouble(), roc.auc(), 0.0);
      for (var e : oneToOne.getAsJsonObject("tar_at_far").entrySet()) {
        assertEquals(name + " TAR@FAR=" + e.getKey(), e.getValue().getAsDouble(),
            roc.insightFaceTar(Double.parseDouble(e.getKey())), 0.0);
      }
      IjbCsv gallery = IjbCsv.read(meta.resolve("ijbc_1N_gallery_G1.csv")).then(IjbCsv.read(meta.resolve("ijbc_1N_gallery_G2.csv")));
      IjbCsv probes = IjbCsv.read(meta.resolve("ijbc_1N_probe_mixed.csv"));
      OneToN.Result r = OneToN.evaluate(pool1n(x, probes), IjbEvaluation.subjects(probes), pool1n(x, gallery), IjbEvaluation.subjects(gallery), "csv");
      JsonObject oneToN = want.getAsJsonObject("one_to_n");
      assertEquals(oneToN.get("probes").getAsInt(), r.probes());
      assertEquals(oneToN.get("gallery").getAsInt(), r.gallery());
      assertEquals(name, oneToN.get("top1").getAsDouble(), r.top1(), 0.0);
      assertEquals(name, oneToN.get("top5").getAsDouble(), r.top5(), 0.0);
      assertEquals(name, oneToN.get("top10").getAsDouble(), r.top10(), 0.0);
      assertEquals(name, oneToN.getAsJsonObject("tpir_at_fpir").get("0.01").getAsDouble(), r.tpir()[0], 0.0);
      assertEquals(name, oneToN.getAsJsonObject("tpir_at_fpir").get("0.1").getAsDouble(), r.tpir()[1], 0.0);
    }
  }

  static double[][] pool1n(float[][] x, IjbCsv csv) {
    return TemplatePooling.pool(x, faces.templates(), faces.medias(), TemplatePooling.unique(csv.templates()),
        TemplatePooling.Norm.NUMPY_SUM, "csv").vectors();
  }
}
