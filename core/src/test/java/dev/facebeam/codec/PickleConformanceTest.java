package dev.facebeam.codec;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import dev.facebeam.UserInputException;
import dev.facebeam.codec.pack.VerificationPack;
import dev.facebeam.codec.pickle.PickleWriter;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.Test;

/**
 * Packs written by the real tools, at LFW's size (12,000 images, 6,000 pairs): Python 2.7's
 * cPickle and pickle (str elements), CPython 3.11 at protocols 2–5 (bytes), numpy 1.24 and 2.4
 * (uint8 array elements; issame as a list or a numpy bool array). They were made once by
 * {@code src/test/resources/pickles/make_pickles.py} (its header says how) and are read here; the
 * expected images and flags are recomputed below from the script's formula, not from any pickle.
 */
public class PickleConformanceTest {
  static final int IMAGES = 12_000;

  static final String[] FIXTURES = {
      "py2-cpickle-p2-list-bools", "py2-pickle-p2-tuple-ints",
      "py3-p2-list-bools", "py3-p3-list-bools", "py3-p4-list-bools", "py3-p5-list-bools",
      "py3-p2-tuple-ints", "py3-p4-tuple-ints",
      "np1-p2-uint8-bools", "np1-p4-uint8-bools", "np1-p3-uint8-npbool", "np1-p4-uint8-npbool", "np1-p5-uint8-npbool",
      "np2-p2-uint8-bools", "np2-p4-uint8-bools", "np2-p3-uint8-npbool", "np2-p4-uint8-npbool", "np2-p5-uint8-npbool",
  };

  /** make_pickles.py's element(i). */
  static byte[] element(int i) {
    int n = i == 7 ? 0 : i == 4321 ? 70_000 : i % 97 == 0 ? 300 : 1 + (i * 7) % 13;
    byte[] b = new byte[n];
    for (int k = 0; k < n; k++) {
      b[k] = (byte) (i * 31 + k * 7);
    }
    return b;
  }

  static List<byte[]> elements() {
    List<byte[]> all = new ArrayList<>(IMAGES);
    for (int i = 0; i < IMAGES; i++) {
      all.add(element(i));
    }
    return all;
  }

  static boolean[] flags() {
    boolean[] f = new boolean[IMAGES / 2];
    for (int i = 0; i < f.length; i++) {
      f[i] = i % 3 != 1;
    }
    return f;
  }

  static byte[] fixture(String name) throws IOException {
    try (InputStream in = PickleConformanceTest.class.getResourceAsStream("/pickles/" + name + ".bin.gz")) {
      if (in == null) {
        throw new AssertionError("missing fixture " + name);
      }
      return new GZIPInputStream(in).readAllBytes();
    }
  }

  @Test
  public void everyPackTheRealToolsWriteLoadsWithEveryImageAndFlag() throws IOException {
    List<byte[]> expected = elements();
    boolean[] flags = flags();
    for (String name : FIXTURES) {
      VerificationPack p;
      try {
        p = VerificationPack.parse(fixture(name), name);
      } catch (UserInputException e) {
        throw new AssertionError(name + ": " + e.getMessage(), e);
      }
      assertEquals(name, IMAGES, p.images().size());
      for (int i = 0; i < IMAGES; i++) {
        if (!java.util.Arrays.equals(expected.get(i), p.images().get(i))) {
          fail(name + ": image " + i + " differs");
        }
      }
      assertArrayEquals(name, flags, p.issame());
    }
  }

  @Test
  public void packWritesTheBytesPythonWrites() throws IOException {
    // pickle.dump((bins, issame), f, protocol) in CPython 3.11 and numpy 1.24: Python's own file is
    // the reference, so pickle.load of ours gives the same objects.
    String[][] cases = {
        {"py3-p2-list-bools", "2", "BYTES"}, {"py3-p3-list-bools", "3", "BYTES"},
        {"py3-p4-list-bools", "4", "BYTES"}, {"py3-p5-list-bools", "5", "BYTES"},
        {"np1-p2-uint8-bools", "2", "NUMPY_UINT8"}, {"np1-p4-uint8-bools", "4", "NUMPY_UINT8"},
    };
    List<byte[]> images = elements();
    for (String[] c : cases) {
      byte[] python = fixture(c[0]);
      byte[] ours = PickleWriter.packBytes(images, flags(), Integer.parseInt(c[1]), PickleWriter.ElementForm.valueOf(c[2]));
      int at = mismatch(python, ours);
      if (at >= 0) {
        fail(c[0] + ": our bytes differ from Python's at offset " + at + " (python " + python.length + " bytes, ours "
            + ours.length + "): python " + hex(python, at) + " ours " + hex(ours, at));
      }
    }
  }

  @Test(timeout = 60_000)
  public void corruptingARealPackGivesACodecErrorOrAPackNeverAnotherFailure() throws IOException {
    // Byte flips and cuts across Python 2's cPickle file (LONG_BINPUT/LONG_BINGET everywhere past
    // the 256th object): each either still parses or is a UserInputException naming the file.
    byte[] real = fixture("py2-cpickle-p2-list-bools");
    java.util.Random random = new java.util.Random(12);
    for (int trial = 0; trial < 300; trial++) {
      byte[] bad = trial % 3 == 0 ? java.util.Arrays.copyOf(real, random.nextInt(real.length)) : real.clone();
      if (trial % 3 != 0) {
        for (int k = 0; k < 1 + random.nextInt(4); k++) {
          bad[random.nextInt(bad.length)] = (byte) random.nextInt(256);
        }
      }
      try {
        VerificationPack.parse(bad, "corrupt.bin");
      } catch (UserInputException e) {
        if (!e.getMessage().startsWith("corrupt.bin")) {
          fail("error does not name the file: " + e.getMessage());
        }
      }
    }
  }

  private static int mismatch(byte[] a, byte[] b) {
    int n = java.util.Arrays.mismatch(a, b);
    return n;
  }

  private static String hex(byte[] b, int at) {
    int from = Math.max(0, at - 8);
    return HexFormat.of().formatHex(b, from, Math.min(b.length, at + 16));
  }
}
