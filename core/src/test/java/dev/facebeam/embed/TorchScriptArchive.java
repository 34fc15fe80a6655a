package dev.facebeam.embed;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Builds a real TorchScript archive without Python (docs/stack.md): a stored zip with the module's
 * TorchScript source, its pickled state and constants. libtorch compiles the source when loading.
 */
final class TorchScriptArchive {
  private TorchScriptArchive() {}

  static void write(Path file, String returnExpression) throws IOException {
    String code = """
        class Net(Module):
          __parameters__ = []
          __buffers__ = []
          training : bool
          def forward(self: __torch__.Net,
            x: Tensor) -> Tensor:
            return %s
        """.formatted(returnExpression);
    // data.pkl: GLOBAL __torch__.Net, (), NEWOBJ, {'training': True}, BUILD (protocol 2).
    byte[] data = "\u0080\u0002c__torch__\nNet\nq\u0000)\u0081}q\u0001X\u0008\u0000\u0000\u0000trainingq\u0002\u0088sb."
        .getBytes(StandardCharsets.ISO_8859_1);
    byte[] constants = "\u0080\u0002).".getBytes(StandardCharsets.ISO_8859_1);
    try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
      stored(zip, "net/version", "3\n".getBytes(StandardCharsets.US_ASCII));
      stored(zip, "net/data.pkl", data);
      stored(zip, "net/constants.pkl", constants);
      stored(zip, "net/code/__torch__.py", code.getBytes(StandardCharsets.UTF_8));
    }
  }

  private static void stored(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
    ZipEntry e = new ZipEntry(name);
    e.setMethod(ZipEntry.STORED);
    e.setSize(bytes.length);
    e.setCompressedSize(bytes.length);
    CRC32 crc = new CRC32();
    crc.update(bytes);
    e.setCrc(crc.getValue());
    zip.putNextEntry(e);
    zip.write(bytes);
    zip.closeEntry();
  }
}
