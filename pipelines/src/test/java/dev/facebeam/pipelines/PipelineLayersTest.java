package dev.facebeam.pipelines;

import static org.junit.Assert.assertEquals;

import dev.facebeam.PackageLayers;
import java.nio.file.Path;
import java.util.List;
import org.junit.Test;

/**
 * pipelines' packages, lowest first (README, Layout): what every stage shares and the figures, the
 * results store's side, the stages, then the chains of stages; none names one above it.
 */
public class PipelineLayersTest {
  static final List<String> FLOORS = List.of("stage", "figures", "results", "ingest", "embed", "verify", "megaface", "ijb", "allpairs", "pack",
      "export", "run", "evaluate");

  @Test
  public void noPackageNamesOneAboveIt() throws Exception {
    assertEquals(List.of(), PackageLayers.upward(Path.of("src/main/java/dev/facebeam/pipelines"), "dev.facebeam.pipelines", FLOORS));
  }
}
