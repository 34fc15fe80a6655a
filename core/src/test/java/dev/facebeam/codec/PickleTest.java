package dev.facebeam.codec;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.facebeam.TestData;
import dev.facebeam.UserInputException;
import dev.facebeam.codec.image.ImageCodec;
import dev.facebeam.codec.image.RgbPixels;
import dev.facebeam.codec.pack.VerificationPack;
import dev.facebeam.codec.pickle.PickleWriter;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.junit.Test;

public class PickleTest {
  private static final byte[] A = {(byte) 0xFF, (byte) 0xD8, 'a', 'b'};
  private static final byte[] B = {0x0A, 0x23};

  /** CPython 3.11's pickle.dumps(([b'\xff\xd8ab', b'\n#'], [True]), protocol) for protocols 2–5. */
  private static final String[] CPYTHON = {
      "80025d710028635f636f646563730a656e636f64650a71015806000000c3bfc3986162710258060000006c6174696e317103867104527105680158020000000a2371066803867107527108655d7109886186710a2e",
      "80035d7100284304ffd86162710143020a237102655d710388618671042e",
      "80049517000000000000005d94284304ffd861629443020a2394655d94886186942e",
      "80059517000000000000005d94284304ffd861629443020a2394655d94886186942e",
  };

  @Test
  public void readsWhatCPythonWritesAtEveryProtocol() {
    for (String hex : CPYTHON) {
      VerificationPack p = VerificationPack.parse(HexFormat.of().parseHex(hex), "cpython");
      assertEquals(2, p.images().size());
      assertArrayEquals(A, p.images().get(0));
      assertArrayEquals(B, p.images().get(1));
      assertArrayEquals(new boolean[] {true}, p.issame());
    }
  }

  @Test
  public void readsPython2StrElements() {
    // Python 2's pickle.dumps((['ab', 'cd'], [False]), 2): SHORT_BINSTRING elements.
    byte[] py2 = "\u0080\u0002(]q\u0000(U\u0002abq\u0001U\u0002cdq\u0002e]q\u0003\u0089at.".getBytes(StandardCharsets.ISO_8859_1);
    VerificationPack p = VerificationPack.parse(py2, "py2");
    assertArrayEquals("ab".getBytes(StandardCharsets.US_ASCII), p.images().get(0));
    assertArrayEquals(new boolean[] {false}, p.issame());
  }

  @Test
  public void ourWriterGivesCPythonsBytesAtEveryProtocol() {
    for (int protocol = 2; protocol <= 5; protocol++) {
      byte[] ours = PickleWriter.packBytes(List.of(A, B), new boolean[] {true}, protocol, PickleWriter.ElementForm.BYTES);
      assertEquals("protocol " + protocol, CPYTHON[protocol - 2], HexFormat.of().formatHex(ours));
    }
  }

  @Test
  public void realSmallLfwPackHasTwentyNumpyJpegsAndTenPositivePairs() throws Exception {
    VerificationPack p = VerificationPack.read(TestData.file("bin/small_lfw.bin"));
    assertEquals(20, p.images().size());
    assertEquals(10, p.pairs());
    assertEquals(10, p.positives());
    for (byte[] jpeg : p.images()) {
      RgbPixels px = ImageCodec.decode(jpeg);
      assertEquals(112, px.width());
      assertEquals(112, px.height());
    }
  }

  @Test
  public void writerRoundTripsRealImagesInEveryForm() throws Exception {
    VerificationPack real = VerificationPack.read(TestData.file("bin/small_lfw.bin"));
    for (int protocol : new int[] {2, 4}) {
      for (PickleWriter.ElementForm form : PickleWriter.ElementForm.values()) {
        byte[] bytes = PickleWriter.packBytes(real.images(), real.issame(), protocol, form);
        VerificationPack back = VerificationPack.parse(bytes, protocol + "/" + form);
        assertEquals(real.images().size(), back.images().size());
        for (int i = 0; i < real.images().size(); i++) {
          assertArrayEquals(real.images().get(i), back.images().get(i));
        }
        assertArrayEquals(real.issame(), back.issame());
      }
    }
  }

  private static UserInputException refused(String latin1) {
    return assertThrows(UserInputException.class,
        () -> VerificationPack.parse(latin1.getBytes(StandardCharsets.ISO_8859_1), "hostile.bin"));
  }

  @Test
  public void globalsOutsideTheAllowlistAreRefusedByName() {
    // pickle.dumps of an object whose __reduce__ returns (os.system, ('echo pwned',)), protocol 2.
    UserInputException e = refused("\u0080\u0002cos\nsystem\nq\u0000X\n\u0000\u0000\u0000echo pwnedq\u0001\u0085q\u0002Rq\u0003.");
    assertThat(e.getMessage(), containsString("'os.system'"));
    assertThat(e.getMessage(), containsString("hostile.bin@byte=2"));
    // Protocol 4 spells it with STACK_GLOBAL.
    e = refused("\u0080\u0004\u008c\bbuiltins\u0094\u008c\u0004eval\u0094\u0093\u0094.");
    assertThat(e.getMessage(), containsString("'builtins.eval'"));
  }

  @Test
  public void oddImageCountAndMismatchedIssameAreErrors() {
    byte[] odd = PickleWriter.packBytes(List.of(A, B, A), new boolean[] {true}, 4, PickleWriter.ElementForm.BYTES);
    UserInputException e = assertThrows(UserInputException.class, () -> VerificationPack.parse(odd, "odd.bin"));
    assertThat(e.getMessage(), containsString("odd image count 3"));
    byte[] mismatch = PickleWriter.packBytes(List.of(A, B), new boolean[] {true, false}, 4, PickleWriter.ElementForm.BYTES);
    e = assertThrows(UserInputException.class, () -> VerificationPack.parse(mismatch, "mis.bin"));
    assertThat(e.getMessage(), containsString("issame_list has 2 entries but the pack holds 1 pairs"));
  }

  @Test
  public void lengthsBeyondTheDataAreRefusedBeforeAllocation() {
    // BINBYTES claiming 2 GiB in a 12-byte pickle.
    UserInputException e = refused("\u0080\u0003B\u00ff\u00ff\u00ff\u007f\u0000.");
    assertThat(e.getMessage(), containsString("claims 2147483647 bytes"));
    // BINBYTES8 claiming 2^62.
    e = refused("\u0080\u0004\u008e\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0040.");
    assertThat(e.getMessage(), containsString("truncated or corrupt"));
  }

  @Test
  public void truncatedAndEmptyPicklesAreErrors() {
    byte[] good = HexFormat.of().parseHex(CPYTHON[1]);
    for (int cut : new int[] {1, 5, 20, good.length - 1}) {
      byte[] part = java.util.Arrays.copyOf(good, cut);
      assertThrows(UserInputException.class, () -> VerificationPack.parse(part, "cut.bin"));
    }
    UserInputException e = assertThrows(UserInputException.class,
        () -> VerificationPack.parse(PickleWriter.packBytes(List.of(), new boolean[0], 4, PickleWriter.ElementForm.BYTES), "e.bin"));
    assertThat(e.getMessage(), containsString("empty pack"));
  }

  @Test
  public void numpyArrayWhoseShapeDisagreesWithItsBytesIsRefused() {
    byte[] good = PickleWriter.packBytes(List.of(A, B), new boolean[] {true}, 4, PickleWriter.ElementForm.NUMPY_UINT8);
    // Shape (4,) of the first element is written as BININT1 4 right after 'K\x01' (the version); make it 5.
    String s = new String(good, StandardCharsets.ISO_8859_1).replaceFirst("\\(K\u0001K\u0004", "(K\u0001K\u0005");
    UserInputException e = refused(s);
    assertThat(e.getMessage(), containsString("needs 5 bytes but holds 4"));
    assertTrue(e.getMessage().startsWith("hostile.bin@byte="));
  }

  /**
   * CPython 3.11's {@code pickle.dumps(([b'ab'], [True]), protocol=4)}, then with its FRAME length set to
   * 10^12: Python's {@code pickle.loads} says "pickle data was truncated"; so must we, naming the byte.
   */
  @Test
  public void aFrameLongerThanTheFileIsRefusedAsPythonRefusesIt() {
    byte[] good = HexFormat.of().parseHex("8004950f000000000000005d944302616294615d94886186942e");
    assertEquals(2, ((dev.facebeam.codec.pickle.PyTuple) dev.facebeam.codec.pickle.SafeUnpickler.load(good, "ok.bin")).items().size());
    byte[] bad = HexFormat.of().parseHex("8004950010a5d4e80000005d944302616294615d94886186942e");
    UserInputException e = assertThrows(UserInputException.class, () -> dev.facebeam.codec.pickle.SafeUnpickler.load(bad, "frame.bin"));
    assertEquals("frame.bin@byte=2: FRAME of 1000000000000 bytes, but 15 bytes follow (pickle data was truncated)", e.getMessage());
  }
}
