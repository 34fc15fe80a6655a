package dev.facebeam.metrics;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.ByteString;
import dev.facebeam.onnx.GraphProto;
import dev.facebeam.onnx.ModelProto;
import dev.facebeam.onnx.NodeProto;
import dev.facebeam.onnx.OperatorSetIdProto;
import dev.facebeam.onnx.TensorProto;
import dev.facebeam.onnx.TensorShapeProto;
import dev.facebeam.onnx.TypeProto;
import dev.facebeam.onnx.ValueInfoProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.util.Arrays;
import java.util.Map;

/**
 * An 8-bit filter for probe × distractor scores (docs/megaface.md, "An 8-bit filter"): each
 * distractor is quantized to integers in [-127, 127] with its own scale (its largest magnitude / 127),
 * each probe likewise where the CPU has VNNI or AMX, else to [-63, 63] (without them ONNX Runtime sums
 * pairs of u8 × s8 products in saturating 16-bit lanes: 255 · 63 · 2 = 32,130 fits, 255 · 127 · 2
 * does not), a block of
 * distractors against every probe is one ONNX Runtime {@code MatMulInteger} (u8 × s8 into int32:
 * AVX-512 VNNI, ~1,000 GOP/s on two cores here against float32's ~290 GFLOP/s), and each approximate
 * score comes with a proven bound on its distance from the canonical float32 score
 * ({@link BlockProduct#canonical}). The caller rescores exactly only the pairs whose approximate
 * score, raised by the bound, could still enter a top list — so what it keeps is what the canonical
 * scores would give.
 *
 * <p>The bound for probe i and distractor j: with x̂ = scale · q the dequantized row,
 * |x·y − x̂·ŷ| ≤ ‖x − x̂‖·‖y‖ + ‖x̂‖·‖y − ŷ‖ (Cauchy–Schwarz on x·y − x̂·ŷ = (x − x̂)·y + x̂·(y − ŷ)); the
 * integer product is exact, its scaling to float rounds twice (≤ 3·2⁻²⁴·‖x̂‖·‖ŷ‖), and the canonical
 * float32 score is within γ_{d+8}·‖x‖·‖y‖ of x·y. Per block the distractors' largest norm and
 * residual stand for every j; each term is padded by one part in a million.
 */
public final class QuantizedProduct implements AutoCloseable {
  private static final String BLOCK = "block";
  private static final String SCORES = "scores";

  private final int p;
  /** The probes as the product has them: padded with zero rows to a multiple of 64 (see the constructor). */
  private final int padded;
  private final int d;
  /** The probes' float rows, P × d: what candidates and the spot check are rescored against. */
  private final float[] rows;
  private final float[] probeScale;
  private long checks;
  private final double[] probeResidual;
  private final double[] probeQuantizedNorm;
  private final double[] probeNorm;
  private final OrtEnvironment env;
  private final OrtSession session;
  private ByteBuffer in = ByteBuffer.allocateDirect(0);
  private ByteBuffer out = ByteBuffer.allocateDirect(0);
  private int outRows;
  /** The loaded block: its float rows, and per row its quantized bytes (u8 with zero point 128), scale and norms. */
  private float[] block = new float[0];
  private int loaded;
  private byte[] quantized = new byte[0];
  private float[] blockScale = new float[0];
  /** Each row's ‖y − ŷ‖, ‖ŷ‖ and ‖y‖ (rounded up): for a pair's own bound. */
  private double[] rowResidual = new double[0];
  private double[] rowQuantizedNorm = new double[0];
  private double[] rowNorm = new double[0];
  /** The rows in order of scale (position → row): consecutive rows of this order have almost the same scale. */
  private int[] order = new int[0];
  private long[] keys = new long[0];
  /** The largest norms and residual among the rows of the last {@link #scores(int, int)}. */
  private double blockResidual;
  private double blockNorm;
  private double blockQuantizedNorm;

  /** {@code probes}: P × d rows; {@code threads}: ONNX Runtime's intra-op threads for this slot (0: its default). */
  public QuantizedProduct(float[][] probes, int threads) {
    this.p = probes.length;
    this.d = probes[0].length;
    probeScale = new float[p];
    probeResidual = new double[p];
    probeQuantizedNorm = new double[p];
    probeNorm = new double[p];
    rows = new float[p * d];
    for (int i = 0; i < p; i++) {
      System.arraycopy(probes[i], 0, rows, i * d, d);
    }
    // ONNX Runtime 1.21's MatMulInteger (the version DJL 0.36 ships) gets the last row of every 32 wrong
    // against the last few probes when their count is not a multiple of 16 on this CPU (AMX tiles; its
    // 1.30 in Python does not); zero probes pad the count to a multiple of 64, and every block is
    // spot-checked against the bound (checkBound) in case another kernel has another edge.
    padded = (p + 63) / 64 * 64;
    byte[] q = new byte[d * padded]; // the probes as the product's right operand: d × P', s8
    byte[] row = new byte[d];
    double[] stats = new double[3];
    float[] work = new float[2 * d];
    for (int i = 0; i < p; i++) {
      probeScale[i] = quantize(probes[i], 0, d, row, 0, stats, PROBE_LEVELS, 0, work);
      probeResidual[i] = stats[0];
      probeQuantizedNorm[i] = stats[1];
      probeNorm[i] = stats[2];
      for (int k = 0; k < d; k++) {
        q[k * padded + i] = row[k];
      }
    }
    env = dev.facebeam.embed.OnnxRuntimeLibrary.environment();
    try (OrtSession.SessionOptions o = dev.facebeam.embed.FaceModel.quietSession()) {
      if (threads > 0) {
        o.setIntraOpNumThreads(threads);
      }
      session = env.createSession(model(q, padded, d).toByteArray(), o);
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime could not load the 8-bit product: " + e.getMessage(), e);
    }
  }

  /** MatMulInteger(block u8 [b, d] with zero point 128, probes s8 [d, P]) → int32 [b, P]. */
  private static ModelProto model(byte[] q, int p, int d) {
    TensorProto probes = TensorProto.newBuilder().setName("probes").setDataType(TensorProto.DataType.INT8_VALUE)
        .addDims(d).addDims(p).setRawData(ByteString.copyFrom(q)).build();
    TensorProto zero = TensorProto.newBuilder().setName("zero").setDataType(TensorProto.DataType.UINT8_VALUE)
        .setRawData(ByteString.copyFrom(new byte[] {(byte) 128})).build();
    NodeProto node = NodeProto.newBuilder().setOpType("MatMulInteger").setName("scores")
        .addInput(BLOCK).addInput("probes").addInput("zero").addOutput(SCORES).build();
    GraphProto graph = GraphProto.newBuilder().setName("facebeam-8bit-scores").addNode(node).addInitializer(probes).addInitializer(zero)
        .addInput(value(BLOCK, TensorProto.DataType.UINT8_VALUE, -1, d))
        .addOutput(value(SCORES, TensorProto.DataType.INT32_VALUE, -1, p)).build();
    return ModelProto.newBuilder().setIrVersion(8).setProducerName("facebeam")
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13)).setGraph(graph).build();
  }

  private static ValueInfoProto value(String name, int type, long rows, long cols) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    shape.addDim(rows < 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam("b").build()
        : TensorShapeProto.Dimension.newBuilder().setDimValue(rows).build());
    shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(cols).build());
    return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
        TypeProto.Tensor.newBuilder().setElemType(type).setShape(shape))).build();
  }

  /** Distractors: 8 bits; probes: 8 where the integer kernels cannot saturate, else 7 (see above). */
  private static final int BLOCK_LEVELS = 127;
  private static final int PROBE_LEVELS = exactIntegerKernels() ? 127 : 63;

  /** Whether Linux reports VNNI or AMX-INT8, whose u8 × s8 instructions sum into 32 bits without saturating. */
  static boolean exactIntegerKernels() {
    try {
      String flags = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/cpuinfo"));
      return flags.contains(" avx512_vnni") || flags.contains(" avx_vnni") || flags.contains(" amx_int8");
    } catch (java.io.IOException | RuntimeException e) {
      return false;
    }
  }

  /** Added to a float below 2²² and subtracted again, it rounds to an integer, ties to even: Math.rint on vectors. */
  private static final float ROUND = 0x1.8p23f;
  private static final double U = 0x1p-24;

  /**
   * One row as integers in [-levels, levels] (scale: its largest magnitude / levels), plus
   * {@code zero}, into {@code dst} as bytes; {@code stats}: ‖x − x̂‖, ‖x̂‖ and ‖x‖ with x̂ = scale · q,
   * each rounded up; {@code work}: 2n floats of scratch. A zero row has scale 0.
   *
   * <p>The loops are split so that the JIT runs the rounding and the residual on vectors; the norms
   * are float sums in eight lanes, made upper bounds by their error: a sum of m nonnegative rounded
   * products is within γ_m = m·u / (1 − m·u) of the true one (m = n/8 + 11 here), and each residual
   * component, fl(x − fl(q·scale)), within u·|q·scale| + u·|x − q·scale| of the true one, so
   * ‖x − x̂‖ ≤ (‖computed‖ + 2u·(‖x‖ + ‖x − x̂‖)) / (1 − u), solved for ‖x − x̂‖. ‖q‖² is an exact integer sum.
   */
  static float quantize(float[] x, int from, int n, byte[] dst, int at, double[] stats, int levels, int zero, float[] work) {
    float max = 0f;
    for (int k = 0; k < n; k++) {
      float a = Math.abs(x[from + k]);
      if (a > max) {
        max = a;
      }
    }
    float scale = max / levels;
    float inverse = scale == 0f ? 0f : 1f / scale;
    for (int k = 0; k < n; k++) { // |x · inverse| ≤ levels (plus a rounding), far below 2²²
      work[k] = (x[from + k] * inverse + ROUND) - ROUND;
    }
    long squares = 0;
    for (int k = 0; k < n; k++) {
      int q = Math.max(-levels, Math.min(levels, (int) work[k]));
      work[k] = q;
      squares += q * q;
      dst[at + k] = (byte) (q + zero);
    }
    for (int k = 0; k < n; k++) {
      work[n + k] = x[from + k] - work[k] * scale;
    }
    int m = n / 8 + 11; // terms in lane 0 (the remainder too), the three pairwise sums, the product's rounding
    double gamma = m * U / (1 - m * U);
    double tiny = n * 0x1p-148; // what gradual underflow can lose in the squares: 2n roundings of at most 2⁻¹⁵⁰
    double norm = Math.sqrt((BlockProduct.canonical(x, from, x, from, n) + tiny) / (1 - gamma)); // Σx², eight lanes
    double computed = Math.sqrt((BlockProduct.canonical(work, n, work, n, n) + tiny) / (1 - gamma));
    double residual = (computed + 2 * U * norm) / (1 - 3 * U);
    stats[0] = residual * (1 + 1e-6);
    stats[1] = scale * Math.sqrt((double) squares) * (1 + 1e-6);
    stats[2] = norm * (1 + 1e-6);
    return scale;
  }

  public int probes() {
    return p;
  }

  /** The row length of {@link #scores}' result: the probes padded to a multiple of 64. */
  public int stride() {
    return padded;
  }

  public int dimension() {
    return d;
  }

  /**
   * Quantizes the first {@code b} rows of {@code block} (b × d, kept by reference until the next load)
   * and orders them by scale, so that the rows of a later {@link #scores(int, int)} share almost one
   * scale: a caller can then turn each probe's float threshold into one integer threshold for all of
   * them (the int32 scores are compared without a multiply, on vectors).
   */
  public void load(float[] block, int b) {
    if (b > blockScale.length) {
      quantized = new byte[b * d];
      blockScale = new float[b];
      rowResidual = new double[b];
      rowQuantizedNorm = new double[b];
      rowNorm = new double[b];
      order = new int[b];
      keys = new long[b];
    }
    this.block = block;
    this.loaded = b;
    double[] stats = new double[3];
    float[] work = new float[2 * d];
    for (int j = 0; j < b; j++) {
      blockScale[j] = quantize(block, j * d, d, quantized, j * d, stats, BLOCK_LEVELS, 128, work); // u8, zero point 128
      rowResidual[j] = stats[0];
      rowQuantizedNorm[j] = stats[1];
      rowNorm[j] = stats[2];
      keys[j] = (long) Float.floatToRawIntBits(blockScale[j]) << 32 | j; // scales are ≥ 0: their bits order as they do
    }
    Arrays.sort(keys, 0, b);
    for (int r = 0; r < b; r++) {
      order[r] = (int) keys[r];
    }
  }

  /** The loaded block's row at position {@code position} of the scale order. */
  public int row(int position) {
    return order[position];
  }

  /**
   * The loaded rows at positions [from, from + n) of the scale order against every probe: int32 dot
   * products of the quantized rows, n × P' row-major (result row r is block row {@code row(from + r)},
   * its scores contiguous; P' = {@link #stride()} ≥ P, the probes padded), valid until the next call.
   * Times {@link #blockScale} and {@link #probeScale} a score is approximate; {@link #bound(int)} says how
   * far any of these may be from its canonical score, {@link #bound(int, int)} one pair's.
   */
  public IntBuffer scores(int from, int n) {
    if (from < 0 || n < 1 || from + n > loaded) {
      throw new IllegalArgumentException("rows " + from + " to " + (from + n) + " of a block of " + loaded);
    }
    if (n > outRows) {
      outRows = n;
      in = ByteBuffer.allocateDirect(n * d).order(ByteOrder.nativeOrder());
      out = ByteBuffer.allocateDirect(4 * n * padded).order(ByteOrder.nativeOrder());
    }
    blockResidual = 0;
    blockNorm = 0;
    blockQuantizedNorm = 0;
    in.clear();
    for (int r = from; r < from + n; r++) {
      int j = order[r];
      blockResidual = Math.max(blockResidual, rowResidual[j]);
      blockQuantizedNorm = Math.max(blockQuantizedNorm, rowQuantizedNorm[j]);
      blockNorm = Math.max(blockNorm, rowNorm[j]);
      in.put(quantized, j * d, d);
    }
    in.flip();
    out.clear().limit(4 * n * padded);
    IntBuffer dots = out.asIntBuffer();
    // The product writes into our buffer (a pinned output): reading a result back copies it twice, once
    // into a new heap buffer — 58 MB per 4,096-row block, which took twice as long as the product itself.
    try (OnnxTensor x = OnnxTensor.createTensor(env, in, new long[] {n, d}, ai.onnxruntime.OnnxJavaType.UINT8);
         OnnxTensor y = OnnxTensor.createTensor(env, dots, new long[] {n, padded});
         OrtSession.Result res = session.run(Map.of(BLOCK, x), Map.of(SCORES, y))) {
      // the scores are in dots
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime's 8-bit product failed: " + e.getMessage(), e);
    }
    checkBound(dots, from, n);
    return dots;
  }

  /**
   * A few pairs of every product rescored against the bound — its last row and the last probes
   * always (where tile edges are), others drawn anew per call: a kernel that gets any pair wrong
   * beyond its bound stops the stage instead of deciding a top list.
   */
  private void checkBound(IntBuffer dots, int from, int n) {
    java.util.SplittableRandom r = new java.util.SplittableRandom(++checks);
    for (int t = 0; t < 32; t++) {
      int at = t < 8 ? n - 1 : r.nextInt(n);
      int j = order[from + at];
      int i = t % 8 == 0 ? p - 1 : r.nextInt(p);
      double approx = (double) dots.get(at * padded + i) * blockScale[j] * probeScale[i];
      float exact = BlockProduct.canonical(rows, i * d, block, j * d, d);
      if (!(Math.abs(approx - exact) <= bound(i))) {
        throw new IllegalStateException("ONNX Runtime's 8-bit product scored probe " + i + " against distractor row " + j + " of a block"
            + " as " + approx + " where the float32 score is " + exact + ", beyond its bound " + bound(i) + ": this CPU's"
            + " MatMulInteger kernel is wrong, and no top list can be trusted with it");
      }
    }
  }

  /** The probes' float rows, P × d (row-major). */
  public float[] probeRows() {
    return rows;
  }

  /** Row j's scale in the loaded block (its largest magnitude / 127). */
  public float blockScale(int j) {
    return blockScale[j];
  }

  public float probeScale(int i) {
    return probeScale[i];
  }

  /** How far any approximate score of probe i in the last {@link #scores(int, int)} may be from its canonical score. */
  public double bound(int i) {
    return bound(i, blockResidual, blockQuantizedNorm, blockNorm);
  }

  /**
   * How far probe i's approximate score against row j of the loaded block may be from its canonical
   * score: the same bound with that row's own norms, not the largest of the product's rows (about a
   * fifth tighter on unit rows): what decides whether a pair {@link #bound(int)} let through is rescored.
   */
  public double bound(int i, int j) {
    return bound(i, rowResidual[j], rowQuantizedNorm[j], rowNorm[j]);
  }

  private double bound(int i, double residual, double quantizedNorm, double norm) {
    double nu = (d + 8) * 0x1p-24;
    double gamma = nu / (1 - nu);
    return (probeResidual[i] * norm + probeQuantizedNorm[i] * residual
        + 3 * 0x1p-24 * probeQuantizedNorm[i] * quantizedNorm + gamma * probeNorm[i] * norm) * (1 + 1e-6);
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      // closing: nothing left to lose
    }
  }
}
