package dev.facebeam.graph;

import dev.facebeam.graph.TorchScriptExport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * The model descriptor a TorchScript archive carries as the extra file {@link TorchScriptExport#METADATA}
 * ({@code <archive>/extra/facebeam.model.json}, what {@code torch.jit.save(..., _extra_files=...)}
 * writes; docs/export.md), read from the zip's directory without touching the weights.
 */
public final class TorchScriptMetadata {
  /** A descriptor is a few hundred bytes; anything this large is not one. */
  static final int MAX_BYTES = 1 << 20;

  private TorchScriptMetadata() {}

  /** The descriptor's JSON, or null when the file is not a zip or carries none. */
  public static String descriptor(Path file) throws IOException {
    try (ZipFile zip = new ZipFile(file.toFile())) {
      Enumeration<? extends ZipEntry> entries = zip.entries();
      while (entries.hasMoreElements()) {
        ZipEntry e = entries.nextElement();
        String[] parts = e.getName().split("/");
        if (parts.length == 3 && parts[1].equals("extra") && parts[2].equals(TorchScriptExport.METADATA)) {
          try (InputStream in = zip.getInputStream(e)) {
            byte[] b = in.readNBytes(MAX_BYTES + 1);
            if (b.length > MAX_BYTES) {
              throw new IOException(e.getName() + " is over " + MAX_BYTES + " bytes: not a model descriptor");
            }
            return new String(b, StandardCharsets.UTF_8);
          }
        }
      }
      return null;
    } catch (ZipException e) {
      return null; // not an archive: the engine's own load will say what it is
    }
  }
}
