package dev.facebeam.packs;

import dev.facebeam.UserInputException;
import dev.facebeam.codec.pack.BinPack;
import dev.facebeam.codec.pack.FacePack;
import dev.facebeam.codec.pack.FolderPack;
import dev.facebeam.codec.pack.LstPack;
import dev.facebeam.codec.pack.MegaFacePack;
import dev.facebeam.codec.pack.RecPack;
import dev.facebeam.ijb.IjbPack;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Opens a pack by format name, or recognises the format from the files themselves ({@code auto}):
 * the one place that knows every format, IJB's testsuites (read by {@code ijb}) included, so it sits
 * above the pack readers of {@code codec} and {@code ijb}.
 */
public final class PackOpener {
  public static final String FORMATS = "auto|rec|bin|megaface|lst|folder|ijb";

  private PackOpener() {}

  public static FacePack open(Path input, String format, Path imageRoot) {
    return open(input, format, imageRoot, 0);
  }

  /**
   * With tasks of about {@code perTask} faces where the format allows (0: each format's own size); a
   * {@code .bin} is cut into at most 8 ranges of at least 1,000 images, whatever {@code perTask}.
   */
  public static FacePack open(Path input, String format, Path imageRoot, int perTask) {
    if (!Files.exists(input)) {
      throw new UserInputException(input.toString(), "no such file or folder");
    }
    String f = format == null ? "auto" : format.toLowerCase(Locale.ROOT);
    if (f.equals("auto")) {
      f = detect(input);
    }
    return switch (f) {
      case "rec" -> RecPack.open(input.toString().endsWith(".idx")
          ? input.resolveSibling(input.getFileName().toString().replaceAll("\\.idx$", ".rec")) : input,
          perTask > 0 ? perTask : RecPack.DEFAULT_LINES_PER_SLICE);
      case "bin" -> BinPack.open(input);
      case "megaface" -> MegaFacePack.open(input, perTask > 0 ? perTask : MegaFacePack.LINES_PER_SLICE);
      case "lst" -> LstPack.open(input, imageRoot, perTask > 0 ? perTask : LstPack.LINES_PER_SLICE);
      case "folder" -> FolderPack.open(input, perTask > 0 ? perTask : FolderPack.FILES_PER_TASK);
      case "ijb" -> IjbPack.open(input, perTask > 0 ? perTask : IjbPack.LINES_PER_SLICE);
      default -> throw new UserInputException(input.toString(), "unknown format '" + format + "' (expected " + FORMATS + ")");
    };
  }

  /** Recognises a pack from its files: names first, then the first bytes. */
  public static String detect(Path input) {
    if (Files.isDirectory(input)) {
      if (Files.isRegularFile(input.resolve("train.rec"))) {
        return "rec";
      }
      if (MegaFacePack.looksLike(input)) {
        return "megaface";
      }
      if (IjbPack.looksLike(input)) {
        return "ijb";
      }
      return "folder";
    }
    String name = input.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".rec") || name.endsWith(".idx")) {
      return "rec";
    }
    if (name.endsWith(".lst")) {
      return "lst";
    }
    byte[] head = new byte[4];
    int n;
    try (InputStream in = Files.newInputStream(input)) {
      n = in.readNBytes(head, 0, 4);
    } catch (IOException e) {
      throw new UserInputException(input.toString(), "cannot read: " + e.getMessage(), e);
    }
    if (n >= 2 && (head[0] & 0xFF) == 0x80 && head[1] >= 2 && head[1] <= 5) {
      return "bin";
    }
    if (n >= 4 && head[0] == 0x0A && head[1] == 0x23 && (head[2] & 0xFF) == 0xD7 && (head[3] & 0xFF) == 0xCE) {
      return "rec";
    }
    if (name.endsWith(".bin")) {
      return "bin";
    }
    throw new UserInputException(input.toString(), "cannot recognise the pack format; pass --format=" + FORMATS);
  }
}
