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
 * Each network's size against counts derived here, independently, from the layer tables of spec
 * §5.1 (loops over stages and units, not over the blocks), and against the published figures.
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

  /** LResNet-E-IR from §5.1.1: conv0+bn0+prelu0, IR units (first of each stage strided with a projection), BN–dropout–FC–BN(β). */
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

  @Test
  public void mobileFaceNetHasTheSizeItsLayerTableGives() {
    long[] acc = {0, 0}; // params, macs
    int[] size = {112};
    java.util.function.IntConsumer stride = st -> size[0] /= st;
    // conv(k, in, out, groups, stride, act): conv + BN(2·out) [+ PReLU(out)]
    class L {
      void conv(int k, int in, int out, int groups, int st, boolean act) {
        stride.accept(st);
        acc[0] += (long) k * k * in / groups * out + 2L * out + (act ? out : 0);
        acc[1] += (long) size[0] * size[0] * out * k * k * in / groups;
      }

      void dres(int in, int out, int e, int st) {
        conv(1, in, e, 1, 1, true);
        conv(3, e, e, e, st, true);
        conv(1, e, out, 1, 1, false);
      }
    }
    L l = new L();
    l.conv(3, 3, 64, 1, 2, true);
    l.conv(3, 64, 64, 64, 1, true);
    l.dres(64, 64, 128, 2);
    for (int i = 0; i < 4; i++) {
      l.dres(64, 64, 128, 1);
    }
    l.dres(64, 128, 256, 2);
    for (int i = 0; i < 6; i++) {
      l.dres(128, 128, 256, 1);
    }
    l.dres(128, 128, 512, 2);
    for (int i = 0; i < 2; i++) {
      l.dres(128, 128, 256, 1);
    }
    l.conv(1, 128, 512, 1, 1, true);
    acc[0] += 49L * 512 + 2 * 512 + 512L * 128 + 128 + 128; // GDC dw 7×7 + BN, FC, BN(β)
    acc[1] += 49L * 512 + 512L * 128;
    NetworkStats s = stats("y1", 128);
    assertEquals(acc[0], s.parameters());
    assertEquals(acc[1], s.macs());
    // The MobileFaceNet paper: 0.99 M parameters, 221 M multiply-adds at 112×112.
    assertEquals(0.99e6, s.parameters(), 0.02e6);
    assertEquals(221e6, s.macs(), 10e6);
  }

  @Test
  public void mnas05AndASmallForwardGiveEmbeddings() {
    NetworkStats s = stats("mnas05", 256);
    assertTrue(s.parameters() > 0.5e6 && s.parameters() < 5e6);
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      Block b = Networks.create("mnas05", 256);
      b.setInitializer(new XavierInitializer(), ai.djl.nn.Parameter.Type.WEIGHT);
      b.initialize(m, DataType.FLOAT32, new Shape(2, 3, 112, 112));
      NDArray out = b.forward(new ParameterStore(m, false), new NDList(m.randomNormal(new Shape(2, 3, 112, 112))), false).singletonOrThrow();
      assertEquals(new Shape(2, 256), out.getShape());
    }
  }
}
