package dev.facebeam.pipelines.megaface;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import dev.facebeam.UserInputException;
import dev.facebeam.codec.export.NpyWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class MegaFaceInputsTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void aBlankLineInANumpyProbeListIsAnErrorNotAShift() throws Exception {
    Path dir = tmp.getRoot().toPath();
    try (NpyWriter w = new NpyWriter(dir.resolve("p.npy"), 3, 2)) {
      w.write(new float[] {1, 0, 0, 1, 1, 1});
    }
    try (NpyWriter w = new NpyWriter(dir.resolve("d.npy"), 1, 2)) {
      w.write(new float[] {1, 1});
    }
    Files.writeString(dir.resolve("d.lst"), "1/a@N00/x.jpg\n");
    MegaFaceOptions o = PipelineOptionsFactory.create().as(MegaFaceOptions.class);
    o.setProbesNpy(dir.resolve("p.npy").toString());
    o.setProbesList(dir.resolve("p.lst").toString());
    o.setDistractorsNpy(dir.resolve("d.npy").toString());
    o.setDistractorsList(dir.resolve("d.lst").toString());
    o.setOutput(dir.resolve("out").toString()); // required on the command line; nothing is written here
    // Three rows, three lines (the last newline and a trailing blank line name nothing).
    Files.writeString(dir.resolve("p.lst"), "A/a1.png\nA/a2.png\nB/b1.png\n\n");
    MegaFaceInputs in = MegaFaceInputs.of(MegaFaceJob.params(o).inputs(), MegaFaceOptions.ALGO);
    assertEquals(3, in.probes().vectors().length);
    assertEquals(in.probes().identity()[0], in.probes().identity()[1]);
    // A blank middle line leaves row 1 without an identity: an error naming the line.
    Files.writeString(dir.resolve("p.lst"), "A/a1.png\n\nB/b1.png\n");
    UserInputException e = assertThrows(UserInputException.class, () -> MegaFaceInputs.of(MegaFaceJob.params(o).inputs(), MegaFaceOptions.ALGO));
    assertThat(e.getMessage(), containsString("p.lst:2"));
    assertThat(e.getMessage(), containsString("blank line, but row 1 of the matrix needs a name"));
  }
}
