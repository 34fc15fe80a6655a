package dev.facebeam.pipelines.megaface;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.facebeam.UserInputException;
import dev.facebeam.codec.export.NpyWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** megaface with its default --sizes on far fewer than 10⁶ distractors (fixture-free: NumPy inputs). */
public class MegaFaceDefaultsTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  private MegaFaceOptions options(int distractors, int distractorDim) throws Exception {
    Path dir = tmp.newFolder().toPath();
    Random random = new Random(distractors);
    float[] probes = new float[6 * 4];
    StringBuilder plist = new StringBuilder();
    for (int i = 0; i < 6; i++) {
      for (int k = 0; k < 4; k++) {
        probes[i * 4 + k] = (k == i / 3 ? 1f : 0f) + 0.1f * (float) random.nextGaussian();
      }
      plist.append(i < 3 ? "A/a" : "B/b").append(i).append(".png\n");
    }
    try (NpyWriter w = new NpyWriter(dir.resolve("p.npy"), 6, 4)) {
      w.write(probes);
    }
    float[] d = new float[distractors * distractorDim];
    StringBuilder dlist = new StringBuilder();
    for (int i = 0; i < d.length; i++) {
      d[i] = (float) random.nextGaussian();
    }
    for (int i = 0; i < distractors; i++) {
      dlist.append(i % 100).append("/x@N00/").append(i).append(".jpg\n");
    }
    try (NpyWriter w = new NpyWriter(dir.resolve("d.npy"), distractors, distractorDim)) {
      w.write(d);
    }
    Files.writeString(dir.resolve("p.lst"), plist);
    Files.writeString(dir.resolve("d.lst"), dlist);
    MegaFaceOptions o = PipelineOptionsFactory.fromArgs("--runner=DirectRunner").as(MegaFaceOptions.class);
    o.setProbesNpy(dir.resolve("p.npy").toString());
    o.setProbesList(dir.resolve("p.lst").toString());
    o.setDistractorsNpy(dir.resolve("d.npy").toString());
    o.setDistractorsList(dir.resolve("d.lst").toString());
    o.setOutput(dir.resolve("out").toString());
    return o; // --sizes left at its default, 10 to 10^6
  }

  @Test
  public void defaultSizesAboveTheDistractorCountAreLeftOutAndReported() throws Exception {
    MegaFaceOptions o = options(5000, 4);
    MegaFaceResult r = MegaFaceJob.run(o);
    assertEquals(List.of(10, 100, 1000), r.sizes().stream().map(MegaFaceResult.Size::size).toList());
    assertEquals(List.of(10000, 100000, 1000000), r.sizesLeftOut());
    Path out = Path.of(o.getOutput());
    assertThat(Files.readString(out.resolve("report.json")), containsString("\"sizes_left_out\": {\"sizes\": [10000, 100000, 1000000]"));
    assertThat(Files.readString(out.resolve("report.md")), containsString("left out: 10000, 100000, 1000000"));
    assertTrue(Files.size(out.resolve("cmc.png")) > 1000);
    // run reads this report through the type that wrote it: read back and written again, the same bytes.
    MegaFaceReport back = MegaFaceReport.read(out.resolve("report.json"));
    assertEquals(Files.readString(out.resolve("report.json")), back.toJson());
    assertEquals(r.sizes().get(2).rank1(), back.largestRank1(), 0);
    assertEquals(List.of(10000, 100000, 1000000), back.sizesLeftOut());
  }

  @Test
  public void fewerDistractorsThanEverySizeGiveOneSizeOfAllOfThem() throws Exception {
    MegaFaceResult r = MegaFaceJob.run(options(7, 4));
    assertEquals(1, r.sizes().size());
    assertEquals(7, r.sizes().get(0).size());
    assertEquals(7, r.sizes().get(0).distractors());
    assertEquals(6, r.sizesLeftOut().size());
  }

  @Test
  public void distractorsOfAnotherDimensionAreAnErrorNamingTheFileAndRow() throws Exception {
    MegaFaceOptions o = options(20, 3);
    Exception e = assertThrows(Exception.class, () -> MegaFaceJob.run(o));
    Throwable c = e;
    while (c != null && !(c instanceof UserInputException)) {
      c = c.getCause();
    }
    assertTrue("no UserInputException in " + e, c != null);
    assertThat(c.getMessage(), containsString("d.npy@row=0"));
    assertThat(c.getMessage(), containsString("dimension 3, but the probes have dimension 4"));
  }

  @Test
  public void sizesAndRatesAreRangeChecked() throws Exception {
    MegaFaceOptions o = options(20, 4);
    o.setSizes("10,0");
    assertThat(assertThrows(UserInputException.class, () -> MegaFaceJob.run(o)).getMessage(), containsString("--sizes"));
    o.setSizes("10");
    o.setFar("1e-6,2");
    assertThat(assertThrows(UserInputException.class, () -> MegaFaceJob.run(o)).getMessage(), containsString("--far"));
  }
}
