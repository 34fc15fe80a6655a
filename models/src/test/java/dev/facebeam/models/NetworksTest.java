package dev.facebeam.models;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.XavierInitializer;
import org.junit.Test;

/**
 * Each network's size against counts derived here, independently, from the layer tables of
 * docs/training.md (loops over stages and units, not over the blocks), and against the published figures.
 */
public class NetworksTest {
  private static final Shape INPUT = new Shape(1, 3, 112, 112);

  private static NetworkStats stats(String name, int emb) {
    System.setProperty("ai.djl.offline", "true");
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      Block b = Networks.create(name, emb);
      b.setInitializer(new XavierInitializer(), ai.djl.nn.Parameter.Type.WEIGHT);
      b.initialize(m, DataType.FLOAT32, INPUT);
      NetworkStats s = NetworkStats.of(b, INPUT);
      System.out.printf("%s (emb %d): %,d parameters, %,d MACs at 112x112%n", name, emb, s.parameters(), s.macs());
      return s;
    }
  }

  /** LResNet-E-IR from docs/training.md: conv0+bn0+prelu0, IR units (first of each stage strided with a projection), BN–dropout–FC–BN(β). */
  private static long[] iresnetByTable(int[] units, int emb) {
    long params = 27 * 64 + 2 * 64 + 64;
    long macs = 112L * 112 * 64 * 27;
    int in = 64;
    int size = 112;
    int[] filters = {64, 128, 256, 512};
    for (int s = 0; s < 4; s++) {
      int out = filters[s];
      for (int u = 0; u < units[s]; u++) {
        int inSize = size;
        if (u == 0) {
          size /= 2;
        }
        params += 2L * in + 9L * in * out + 2L * out + out + 9L * out * out + 2L * out;
        macs += (long) inSize * inSize * out * in * 9 + (long) size * size * out * out * 9;
        if (u == 0) {
          params += (long) in * out + 2L * out;
          macs += (long) size * size * out * in;
        }
        in = out;
      }
    }
    params += 2 * 512 + 512L * 49 * emb + emb + emb;
    macs += 512L * 49 * emb;
    return new long[] {params, macs};
  }

  @Test
  public void iresnetsHaveTheSizesTheirLayerTablesGive() {
    int[][] units = {{2, 2, 2, 2}, {3, 4, 6, 3}, {3, 4, 14, 3}, {3, 13, 30, 3}};
    String[] names = {"r18", "r34", "r50", "r100"};
    for (int i = 0; i < names.length; i++) {
      NetworkStats s = stats(names[i], 512);
      long[] expected = iresnetByTable(units[i], 512);
      assertEquals(names[i] + " parameters", expected[0], s.parameters());
      assertEquals(names[i] + " MACs", expected[1], s.macs());
    }
    // Published (arcface_torch): r100 65.2 M parameters and 24.2 GFLOPs, r50 43.6 M and 12.6 G; a FLOP
    // there is half a multiply-accumulate.
    NetworkStats r100 = stats("r100", 512);
    assertEquals(65.2e6, r100.parameters(), 0.2e6);
    assertEquals(24.2e9, 2.0 * r100.macs(), 0.1e9);
    NetworkStats r50 = stats("r50", 512);
    assertEquals(43.6e6, r50.parameters(), 0.2e6);
    assertEquals(12.6e9, 2.0 * r50.macs(), 0.1e9);
  }

  /** Running totals for a layer table: conv + BN(γ, β) [+ PReLU], parameters and MACs at the current size. */
  private static final class Table {
    long params;
    long macs;
    int size = 112;

    void conv(int k, int in, int out, int groups, int stride, boolean act) {
      size /= stride;
      params += (long) k * k * in / groups * out + 2L * out + (act ? out : 0);
      macs += (long) size * size * out * k * k * in / groups;
    }

    /** GDC: depthwise 7×7 (no activation) + BN, FC with bias, BN with only β. */
    void gdc(int channels, int emb) {
      params += 49L * channels + 2L * channels + (long) channels * emb + emb + emb;
      macs += 49L * channels + (long) channels * emb;
    }
  }

  @Test
  public void mobileFaceNetHasTheSizeItsLayerTableGives() {
    Table t = new Table();
    t.conv(3, 3, 64, 1, 2, true);       // conv_1
    t.conv(3, 64, 64, 64, 1, true);     // conv_2_dw
    int[][] dres = {{64, 64, 128, 2, 1}, {64, 64, 128, 1, 4}, {64, 128, 256, 2, 1}, {128, 128, 256, 1, 6},
        {128, 128, 512, 2, 1}, {128, 128, 256, 1, 2}}; // in, out, expand, stride, repeats (docs/training.md)
    for (int[] d : dres) {
      for (int r = 0; r < d[4]; r++) {
        t.conv(1, d[0], d[2], 1, 1, true);
        t.conv(3, d[2], d[2], d[2], d[3], true);
        t.conv(1, d[2], d[1], 1, 1, false);
      }
    }
    t.conv(1, 128, 512, 1, 1, true);    // conv_6sep
    t.gdc(512, 128);
    NetworkStats s = stats("y1", 128);
    assertEquals(t.params, s.parameters());
    assertEquals(t.macs, s.macs());
    // The MobileFaceNet paper: 0.99 M parameters, 221 M multiply-adds at 112×112.
    assertEquals(0.99e6, s.parameters(), 0.02e6);
    assertEquals(221e6, s.macs(), 10e6);
  }

  @Test
  public void mnas05HasTheSizeItsLayerTableGives() {
    Table t = new Table();
    t.conv(3, 3, 16, 1, 1, true);       // stem, stride 1: int(32·0.5)
    t.conv(3, 16, 16, 16, 1, true);     // SepCONV: depthwise 3×3
    t.conv(1, 16, 8, 1, 1, true);       //          1×1 → int(16·0.5)
    int[][] stages = {{3, 12, 3, 2, 3}, {3, 20, 3, 2, 5}, {6, 40, 3, 2, 5}, {6, 48, 2, 1, 3}, {6, 96, 4, 2, 5}, {6, 160, 1, 1, 3}};
    int in = 8;
    for (int[] st : stages) {           // (t, c·0.5, n, s, k) of docs/training.md
      for (int i = 0; i < st[2]; i++) {
        int mid = in * st[0];
        t.conv(1, in, mid, 1, 1, true);
        t.conv(st[4], mid, mid, mid, i == 0 ? st[3] : 1, true);
        t.conv(1, mid, st[1], 1, 1, false);
        in = st[1];
      }
    }
    t.conv(1, 160, 512, 1, 1, true);    // int(1024·0.5)
    t.gdc(512, 256);
    NetworkStats s = stats("mnas05", 256);
    assertEquals(t.params, s.parameters());
    assertEquals(t.macs, s.macs());
  }

  @Test
  public void mnas05AndASmallForwardGiveEmbeddings() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      Block b = Networks.create("mnas05", 256);
      b.setInitializer(new XavierInitializer(), ai.djl.nn.Parameter.Type.WEIGHT);
      b.initialize(m, DataType.FLOAT32, new Shape(2, 3, 112, 112));
      NDArray out = b.forward(new ParameterStore(m, false), new NDList(m.randomNormal(new Shape(2, 3, 112, 112))), false).singletonOrThrow();
      assertEquals(new Shape(2, 256), out.getShape());
    }
  }
}
