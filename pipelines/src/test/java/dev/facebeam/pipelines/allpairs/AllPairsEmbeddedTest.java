package dev.facebeam.pipelines.allpairs;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;

import dev.facebeam.UserInputException;
import dev.facebeam.io.StageOutput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** all-pairs over an embed output (slow set: ingest and embed ORL with the real ONNX model first, about 40 s). */
public class AllPairsEmbeddedTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  private final PipelineOptions runner = PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create();

  private AllPairsParams params(AllPairsParams.Source source, Path groups, String output) {
    return new AllPairsParams(source, groups, null, List.of(1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 0.5, 1.0),
        "1e-6,1e-5,1e-4,1e-3,1e-2,1e-1,0.5,1", 700, "PyTorch", "orl", tmp.getRoot().toPath().resolve(output));
  }

  private AllPairsParams params(Path npy, Path labels, Path groups, String output) {
    return params(new AllPairsParams.Npy(npy, labels), groups, output);
  }

  /**
   * An embed output of an ingested labelled pack (ORL's identity folders, the real ONNX model) gives
   * the numbers its own NumPy export gives through the other form — groups named by record id there,
   * by row number here — and says which model it measured.
   */
  @Test
  public void anEmbedOutputGivesTheNumbersOfItsNumpyExport() throws Exception {
    Path root = tmp.getRoot().toPath();
    dev.facebeam.pipelines.ingest.IngestPipeline.run(dev.facebeam.pipelines.Fixtures.ingestOptions(
        dev.facebeam.pipelines.Fixtures.shared("orl"), root.resolve("ingest")));
    dev.facebeam.pipelines.embed.EmbedOptions e = PipelineOptionsFactory.fromArgs("--runner=DirectRunner")
        .as(dev.facebeam.pipelines.embed.EmbedOptions.class);
    e.setRecords(root.resolve("ingest").toString());
    e.setModel(dev.facebeam.pipelines.Fixtures.shared("models/faceplugin/fr_feature.onnx").toString());
    e.setMean(127f);
    e.setExportNpy(true);
    e.setOutput(root.resolve("embed").toString());
    dev.facebeam.pipelines.embed.EmbedPipeline.run(e);
    List<String> ids = Files.readAllLines(root.resolve("embed/ids.txt"));
    StringBuilder byId = new StringBuilder();
    StringBuilder byRow = new StringBuilder();
    for (int row = 0; row < ids.size(); row++) {
      String group = row % 3 == 0 ? "A" : "B";
      byId.append(ids.get(row)).append('\t').append(group).append('\n');
      byRow.append(row).append('\t').append(group).append('\n');
    }
    AllPairsReport viaEmbed = AllPairsJob.run(params(new AllPairsParams.Embedded(root.resolve("embed")),
        Files.writeString(root.resolve("by-id.txt"), byId), "via-embed"), runner);
    AllPairsReport viaNpy = AllPairsJob.run(params(root.resolve("embed/embeddings.npy"), root.resolve("embed/labels.txt"),
        Files.writeString(root.resolve("by-row.txt"), byRow), "via-npy"), runner);
    assertEquals(List.of("all", "A", "B"), viaEmbed.sets().stream().map(AllPairsReport.SetReport::name).toList());
    assertEquals(400 * 399 / 2, viaEmbed.sets().get(0).genuine() + viaEmbed.sets().get(0).impostor());
    assertEquals(40 * 10 * 9 / 2, viaEmbed.sets().get(0).genuine());
    assertEquals(viaNpy.sets(), viaEmbed.sets());
    assertEquals("fr_feature", StageOutput.requireIntact(root.resolve("via-embed")).getParametersOrThrow("model_name"));
    assertFalse(Files.exists(root.resolve("via-embed/_rows.npy")));
    assertThat(assertThrows(UserInputException.class, () -> AllPairsJob.run(params(new AllPairsParams.Embedded(root.resolve("ingest")),
        null, "not-embed"), runner)).getMessage(), containsString("is the output of 'ingest', not of embed"));
  }
}
