package dev.facebeam.export;

import dev.facebeam.graph.TorchScriptExportTest;
import org.junit.Test;

/**
 * The deep IResNets through the same exports and parity checks as {@link OnnxExportTest} and
 * {@link TorchScriptExportTest}; slow (r100: 65 M parameters), so outside -Pfast.
 */
public class OnnxExportDeepTest {
  @Test
  public void r34() throws Exception {
    OnnxExportTest.exportsWithParity("r34");
    TorchScriptExportTest.exportsWithParity("r34");
  }

  @Test
  public void r50() throws Exception {
    OnnxExportTest.exportsWithParity("r50");
    TorchScriptExportTest.exportsWithParity("r50");
  }

  @Test
  public void r100() throws Exception {
    OnnxExportTest.exportsWithParity("r100");
    TorchScriptExportTest.exportsWithParity("r100");
  }
}
