package dev.facebeam;

import static org.junit.Assert.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.Test;

/** core's packages, lowest first: none names one above it (README, Layout). */
public class CoreLayersTest {
  static final List<String> FLOORS = List.of("io", "config", "codec", "align", "graph", "embed", "export", "metrics", "ijb",
      "results", "packs");

  @Test
  public void noPackageNamesOneAboveIt() throws Exception {
    assertEquals(List.of(), PackageLayers.upward(Path.of("src/main/java/dev/facebeam"), "dev.facebeam", FLOORS));
  }
}
