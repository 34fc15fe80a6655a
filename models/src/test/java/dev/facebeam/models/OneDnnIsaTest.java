package dev.facebeam.models;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.util.Map;
import org.junit.Test;

/** oneDNN is capped at AVX2 on AMD CPUs with AVX-512 only, and never over the user's own setting. */
public class OneDnnIsaTest {
  private static String cpu(String vendor, String flags) {
    return "processor\t: 0\nvendor_id\t: " + vendor + "\ncpu family\t: 26\nmodel name\t: X\nflags\t\t: " + flags + "\n\nprocessor\t: 1\n";
  }

  @Test
  public void amdWithAvx512IsCappedAtAvx2() {
    assertEquals("AVX2", OneDnnIsa.capFor(cpu("AuthenticAMD", "fpu sse2 avx2 avx512f avx512dq avx512_bf16"), Map.of()));
  }

  @Test
  public void intelOrNoAvx512OrTheUsersSettingIsLeftAlone() {
    assertNull(OneDnnIsa.capFor(cpu("GenuineIntel", "fpu sse2 avx2 avx512f avx512dq"), Map.of()));
    assertNull(OneDnnIsa.capFor(cpu("AuthenticAMD", "fpu sse2 avx2 avx512_bf16"), Map.of())); // no avx512f itself
    assertNull(OneDnnIsa.capFor(cpu("AuthenticAMD", "fpu sse2 avx2 fma"), Map.of()));
    assertNull(OneDnnIsa.capFor(cpu("AuthenticAMD", "avx2 avx512f"), Map.of("ONEDNN_MAX_CPU_ISA", "ALL")));
    assertNull(OneDnnIsa.capFor(cpu("AuthenticAMD", "avx2 avx512f"), Map.of("DNNL_MAX_CPU_ISA", "AVX512_CORE")));
    assertNull(OneDnnIsa.capFor("", Map.of()));
  }
}
