package dev.facebeam.models;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A TorchScript archive of a module without tensors, written without Python as {@code torch.jit.save}
 * lays one out (docs/stack.md): a stored zip holding the module's TorchScript source, which libtorch
 * compiles when loading, its pickled object ({@code training} = False) and its empty constants, format
 * version 3. Serves libtorch ops DJL does not bind (TorchPrelu) and the tests' small models.
 */
public final class TorchScriptModules {
  private TorchScriptModules() {}

  /**
   * The archive of class {@code name} whose {@code forward} takes {@code parameters} (TorchScript, e.g.
   * {@code "x: Tensor"}) and returns {@code body} (one expression), in folder {@code folder}.
   */
  public static byte[] archive(String folder, String name, String parameters, String body) {
    String code = "class " + name + "(Module):\n"
        + "  __parameters__ = []\n"
        + "  __buffers__ = []\n"
        + "  training : bool\n"
        + "  def forward(self: __torch__." + name + ",\n"
        + "    " + parameters + ") -> Tensor:\n"
        + "    return " + body + "\n";
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    // pickle protocol 2: PROTO 2, GLOBAL __torch__.NAME, EMPTY_TUPLE, NEWOBJ, EMPTY_DICT,
    // BINUNICODE "training", NEWFALSE, SETITEM, BUILD, STOP — the object with training = False.
    data.writeBytes(new byte[] {(byte) 0x80, 2, 'c'});
    data.writeBytes(("__torch__\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    data.writeBytes(new byte[] {')', (byte) 0x81, '}', 'X', 8, 0, 0, 0});
    data.writeBytes("training".getBytes(StandardCharsets.US_ASCII));
    data.writeBytes(new byte[] {(byte) 0x89, 's', 'b', '.'});
    ByteArrayOutputStream zip = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(zip)) {
      stored(z, folder + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
      stored(z, folder + "/data.pkl", data.toByteArray());
      stored(z, folder + "/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
      stored(z, folder + "/code/__torch__.py", code.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return zip.toByteArray();
  }

  private static void stored(ZipOutputStream z, String name, byte[] bytes) throws IOException {
    ZipEntry e = new ZipEntry(name);
    e.setMethod(ZipEntry.STORED);
    e.setSize(bytes.length);
    e.setCompressedSize(bytes.length);
    CRC32 crc = new CRC32();
    crc.update(bytes);
    e.setCrc(crc.getValue());
    z.putNextEntry(e);
    z.write(bytes);
    z.closeEntry();
  }
}
