package dev.facebeam.codec.features;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import dev.facebeam.UserInputException;
import dev.facebeam.codec.export.NpyMatrix;
import dev.facebeam.codec.export.NpyWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class NpyFeaturesTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void readsRowsOfWhatNumpySaves() throws Exception {
    Path f = tmp.getRoot().toPath().resolve("a.npy");
    try (NpyWriter w = new NpyWriter(f, 3, 2)) {
      w.write(new float[] {1, 2, 3, 4, 5, 6});
    }
    NpyMatrix m = NpyMatrix.open(f);
    assertEquals(3, m.rows());
    assertEquals(2, m.cols());
    float[] rows = new float[4];
    m.readRows(1, 2, rows, 0);
    assertArrayEquals(new float[] {3, 4, 5, 6}, rows, 0f);
  }

  @Test
  public void readsBigEndianFloat64VersionTwo() throws Exception {
    // numpy.save of a '>f8' array too big for a v1 header writes v2: a 4-byte header length.
    String dict = "{'descr': '>f8', 'fortran_order': False, 'shape': (2, 2), }";
    int headerLen = (12 + dict.length() + 1 + 63) / 64 * 64 - 12;
    ByteBuffer b = ByteBuffer.allocate(12 + headerLen + 32);
    b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 2).put((byte) 0);
    b.order(ByteOrder.LITTLE_ENDIAN).putInt(headerLen);
    b.put((dict + " ".repeat(headerLen - dict.length() - 1) + "\n").getBytes(StandardCharsets.US_ASCII));
    b.order(ByteOrder.BIG_ENDIAN).putDouble(0.5).putDouble(-1.25).putDouble(3).putDouble(4);
    Path f = tmp.getRoot().toPath().resolve("b.npy");
    Files.write(f, b.array());
    float[] rows = new float[4];
    NpyMatrix.open(f).readRows(0, 2, rows, 0);
    assertArrayEquals(new float[] {0.5f, -1.25f, 3, 4}, rows, 0f);
  }

  @Test
  public void hostileOrWrongFilesAreClearErrors() throws Exception {
    Path good = tmp.getRoot().toPath().resolve("g.npy");
    try (NpyWriter w = new NpyWriter(good, 4, 3)) {
      w.write(new float[12]);
    }
    byte[] bytes = Files.readAllBytes(good);
    assertThat(open(java.util.Arrays.copyOf(bytes, bytes.length - 5)), containsString("truncated"));
    assertThat(open(java.util.Arrays.copyOf(bytes, 7)), containsString("truncated"));
    assertThat(open("not numpy at all".getBytes(StandardCharsets.US_ASCII)), containsString("magic"));
    assertThat(open(replace(bytes, "False", "True ")), containsString("Fortran"));
    assertThat(open(replace(bytes, "'<f4'", "'<i4'")), containsString("float32 or float64"));
    assertThat(open(replace(bytes, "(4, 3)", "(12,) ")), containsString("2-D"));
    byte[] huge = bytes.clone();
    huge[6] = 2; // version 2 reads a 4-byte length: the header bytes now claim gigabytes
    assertThat(open(huge), containsString("does not fit"));
    // A shape whose byte count would overflow an int, on a tiny file.
    String big = "(999999999999, 999999999), }";
    assertThat(open(replace(bytes, "(4, 3), }" + " ".repeat(big.length() - 9), big)), containsString("needs"));
  }

  @Test
  public void npySlicesNormaliseRowsAndMatchListLines() throws Exception {
    Path dir = tmp.getRoot().toPath();
    Path npy = dir.resolve("d.npy");
    try (NpyWriter w = new NpyWriter(npy, 3, 2)) {
      w.write(new float[] {3, 4, 0, 2, -1, 0});
    }
    Path list = dir.resolve("megaface_lst");
    Files.writeString(list, "/data/megaface/1/a@N00/x.jpg\n/data/megaface/1/a@N00/y.jpg\n/data/megaface/2/b@N00/z.jpg\n");
    List<DistractorSlice> slices = DistractorSlice.npy(npy, list);
    List<float[]> got = new ArrayList<>();
    List<Long> index = new ArrayList<>();
    List<Boolean> noisy = new ArrayList<>();
    for (DistractorSlice s : slices) {
      s.read(Set.of("1/a@N00/y.jpg"), new DistractorSlice.Sink() {
        @Override
        public void accept(long listIndex, boolean n, float[] v, int offset, int d) {
          got.add(java.util.Arrays.copyOfRange(v, offset, offset + d));
          index.add(listIndex);
          noisy.add(n);
        }

        @Override
        public void missing() {
          throw new AssertionError();
        }
      });
    }
    assertEquals(List.of(0L, 1L, 2L), index);
    assertEquals(List.of(false, true, false), noisy);
    assertArrayEquals(new float[] {0.6f, 0.8f}, got.get(0), 1e-7f);
    assertArrayEquals(new float[] {0f, 1f}, got.get(1), 0f);
    assertArrayEquals(new float[] {-1f, 0f}, got.get(2), 0f);

    Files.writeString(list, "1/a@N00/x.jpg\n1/a@N00/y.jpg\n");
    assertThat(assertThrows(UserInputException.class, () -> DistractorSlice.npy(npy, list)).getMessage(), containsString("2 lines but"));
    try (NpyWriter w = new NpyWriter(npy, 2, 2)) {
      w.write(new float[] {1, 0, Float.NaN, 1});
    }
    UserInputException nan = assertThrows(UserInputException.class,
        () -> DistractorSlice.npy(npy, list).get(0).read(new HashSet<>(), new DistractorSlice.Sink() {
          @Override
          public void accept(long listIndex, boolean n, float[] v, int offset, int d) {}

          @Override
          public void missing() {}
        }));
    assertThat(nan.getMessage(), containsString("row=1"));
    assertThat(nan.getMessage(), containsString("NaN"));
  }

  private String open(byte[] bytes) throws Exception {
    Path f = Files.createTempFile(tmp.getRoot().toPath(), "h", ".npy");
    Files.write(f, bytes);
    return assertThrows(UserInputException.class, () -> NpyMatrix.open(f)).getMessage();
  }

  private static byte[] replace(byte[] bytes, String from, String to) {
    String s = new String(bytes, StandardCharsets.ISO_8859_1);
    return s.replace(from, to).getBytes(StandardCharsets.ISO_8859_1);
  }
}
