package dev.facebeam.models;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * libtorch's own {@code torch.prelu} — one kernel forward, one ({@code prelu_backward}) for both
 * gradients — reached from DJL, whose PyTorch binding has no PReLU: a one-line TorchScript module,
 * {@code forward(x, slope) = torch.prelu(x, slope)}, written here as the archive {@code torch.jit.save}
 * writes (docs/training.md, "Speed"), loaded once per process and run through DJL's module call, which
 * records autograd like any other op. Replaces four whole-size ops (max, min, mul, add) forward and
 * about twice as many backward. Values: the same as the four-op form (x where x > 0, slope · x
 * elsewhere); the gradient differs only at x = 0 exactly, where torch's PReLU gives slope · g and the
 * four-op form split it (g·(1 + slope)/2).
 */
final class TorchPrelu {
  private static final String CLASS = "Prelu";
  private static volatile PtSymbolBlock module;

  private TorchPrelu() {}

  /** PReLU of {@code x} (N, C, …) with one slope per channel ({@code slope}: C), or null off the PyTorch engine. */
  static NDArray apply(NDArray x, NDArray slope, boolean training) {
    if (!(x instanceof PtNDArray) || !(slope instanceof PtNDArray)) {
      return null;
    }
    return IValueUtils.forward(module(), new NDList(x, slope), training).singletonOrThrow();
  }

  private static PtSymbolBlock module() {
    PtSymbolBlock m = module;
    if (m == null) {
      synchronized (TorchPrelu.class) {
        m = module;
        if (m == null) {
          // A manager of the engine's own, never closed: the module lives as long as the process.
          PtNDManager manager = (PtNDManager) Engine.getEngine("PyTorch").newBaseManager();
          try {
            m = JniUtils.loadModule(manager, new ByteArrayInputStream(archive()), false, false);
          } catch (IOException e) {
            throw new UncheckedIOException("cannot load the PReLU module", e);
          }
          module = m;
        }
      }
    }
    return m;
  }

  /** The TorchScript archive: the module's code, its pickled object (no tensors), no constants, format version 3. */
  static byte[] archive() {
    String code = "class " + CLASS + "(Module):\n"
        + "  __parameters__ = []\n"
        + "  __buffers__ = []\n"
        + "  training : bool\n"
        + "  def forward(self: __torch__." + CLASS + ",\n"
        + "    x: Tensor,\n"
        + "    slope: Tensor) -> Tensor:\n"
        + "    return torch.prelu(x, slope)\n";
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    // pickle protocol 2: PROTO 2, GLOBAL __torch__.Prelu, EMPTY_TUPLE, NEWOBJ, EMPTY_DICT,
    // BINUNICODE "training", NEWFALSE, SETITEM, BUILD, STOP — the object with training = False.
    data.writeBytes(new byte[] {(byte) 0x80, 2, 'c'});
    data.writeBytes(("__torch__\n" + CLASS + "\n").getBytes(StandardCharsets.US_ASCII));
    data.writeBytes(new byte[] {')', (byte) 0x81, '}', 'X', 8, 0, 0, 0});
    data.writeBytes("training".getBytes(StandardCharsets.US_ASCII));
    data.writeBytes(new byte[] {(byte) 0x89, 's', 'b', '.'});
    ByteArrayOutputStream zip = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(zip)) {
      stored(z, "prelu/data.pkl", data.toByteArray());
      stored(z, "prelu/code/__torch__.py", code.getBytes(StandardCharsets.UTF_8));
      stored(z, "prelu/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
      stored(z, "prelu/version", "3\n".getBytes(StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return zip.toByteArray();
  }

  private static void stored(ZipOutputStream z, String name, byte[] bytes) throws IOException {
    ZipEntry e = new ZipEntry(name);
    e.setMethod(ZipEntry.STORED);
    e.setSize(bytes.length);
    CRC32 crc = new CRC32();
    crc.update(bytes);
    e.setCrc(crc.getValue());
    z.putNextEntry(e);
    z.write(bytes);
    z.closeEntry();
  }
}
