package dev.facebeam.export;

import org.junit.Test;

/** The deep IResNets through the same export and parity check as {@link OnnxExportTest}; slow (r100: 65 M parameters), so outside -Pfast. */
public class OnnxExportDeepTest {
  @Test
  public void r34() throws Exception {
    OnnxExportTest.exportsWithParity("r34");
  }

  @Test
  public void r50() throws Exception {
    OnnxExportTest.exportsWithParity("r50");
  }

  @Test
  public void r100() throws Exception {
    OnnxExportTest.exportsWithParity("r100");
  }
}
