package dev.facebeam.codec.recordio;

import dev.facebeam.UserInputException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code .rec/.idx} pair with its layout worked out (docs/formats.md): InsightFace's, where record 0 is a
 * header pointing at identity records, or the header-less "shuffled" one, where every key is an image.
 * Opening checks the structure; the images themselves are read later, slice by slice.
 */
public final class RecordIoDataset {

  public enum Layout { INSIGHTFACE, SHUFFLED }

  /** What a worker needs to read its share of the images. */
  public record Layout0(Layout layout, long firstIdentityKey, long endIdentityKey) implements Serializable {
    /** True for keys that hold images (not the header, not identity records). */
    public boolean isImageKey(long key) {
      return layout == Layout.SHUFFLED || (key >= 1 && key < firstIdentityKey);
    }
  }

  /** Lines [firstLine, firstLine + count) of the index, as the byte range a worker parses. */
  public record Slice(long fromByte, long toByte, long firstLine, int count) implements Serializable {}

  private final Path rec;
  private final RecordIoIndex index;
  private final RecordIoProperty property; // null when absent
  private final Layout0 layout;
  private final List<String> warnings = new ArrayList<>();
  private long declaredIdentities;

  private RecordIoDataset(Path rec, RecordIoIndex index, RecordIoProperty property, Layout0 layout) {
    this.rec = rec;
    this.index = index;
    this.property = property;
    this.layout = layout;
  }

  /**
   * Opens a dataset. {@code input} is a {@code .rec} file (its {@code .idx} beside it, {@code property}
   * optional) or a dataset folder holding {@code train.rec}, {@code train.idx} and {@code property},
   * where a missing {@code property} is an error: InsightFace's dataset folders always carry one.
   */
  public static RecordIoDataset open(Path input) {
    Path rec;
    Path propertyFile;
    boolean requireProperty;
    if (Files.isDirectory(input)) {
      rec = input.resolve("train.rec");
      propertyFile = input.resolve("property");
      requireProperty = true;
      if (!Files.isRegularFile(rec)) {
        throw new UserInputException(input.toString(), "no train.rec in this dataset folder");
      }
    } else {
      rec = input;
      propertyFile = input.resolveSibling("property");
      requireProperty = false;
    }
    Path idx = siblingIdx(rec);
    if (!Files.isRegularFile(idx)) {
      throw new UserInputException(rec.toString(), "no index beside it (expected " + idx.getFileName() + ")");
    }
    RecordIoProperty property = null;
    if (Files.isRegularFile(propertyFile)) {
      property = RecordIoProperty.read(propertyFile);
    } else if (requireProperty) {
      throw new UserInputException(propertyFile.toString(),
          "missing property file (expected 'num_classes,H,W'); pass the .rec file itself to read a pack without one");
    }
    RecordIoIndex index = RecordIoIndex.read(idx);
    try (RecordIoReader reader = new RecordIoReader(rec)) {
      if (reader.size() == 0) {
        throw new UserInputException(rec.toString(), "empty RecordIO file");
      }
      if (!reader.isRecordStart(0)) {
        throw new UserInputException(rec + "@offset=0", "wrong magic: not an MXNet RecordIO file (expected 0A 23 D7 CE)");
      }
      Layout0 layout = new Layout0(Layout.SHUFFLED, -1, -1);
      long offset0 = index.offsetOf(0);
      IrHeader header0 = null;
      if (offset0 >= 0) {
        header0 = IrHeader.unpack(reader.readAt(offset0).payload(), reader.where(offset0) + "#key=0").header();
        if (header0.flag() > 0) {
          if (header0.flag() < 2) {
            throw new UserInputException(reader.where(offset0) + "#key=0", "header record with flag " + header0.flag() + " (expected a 2-element label)");
          }
          long first = (long) header0.labels()[0];
          long end = (long) header0.labels()[1];
          if (first < 1 || end < first) {
            throw new UserInputException(reader.where(offset0) + "#key=0",
                "header record label [" + first + ", " + end + ") is not a valid identity range");
          }
          layout = new Layout0(Layout.INSIGHTFACE, first, end);
        }
      }
      RecordIoDataset ds = new RecordIoDataset(rec, index, property, layout);
      ds.checkIdentities(reader);
      return ds;
    }
  }

  public static Path siblingIdx(Path rec) {
    String name = rec.getFileName().toString();
    String base = name.endsWith(".rec") ? name.substring(0, name.length() - 4) : name;
    return rec.resolveSibling(base + ".idx");
  }

  private void checkIdentities(RecordIoReader reader) {
    if (layout.layout() != Layout.INSIGHTFACE) {
      if (property != null) {
        declaredIdentities = property.numClasses();
      }
      return;
    }
    long first = layout.firstIdentityKey();
    long end = layout.endIdentityKey();
    declaredIdentities = end - first;
    if (property != null && property.numClasses() != declaredIdentities) {
      warnings.add("property says " + property.numClasses() + " classes but the header record declares " + declaredIdentities + " identities");
    }
    long missing = 0;
    long bad = 0;
    for (long k = first; k < end; k++) {
      long off = index.offsetOf(k);
      if (off < 0) {
        missing++;
        continue;
      }
      try {
        IrHeader h = IrHeader.unpack(reader.readAt(off).payload(), reader.where(off) + "#key=" + k).header();
        if (h.flag() < 2 || h.labels()[0] < 1 || h.labels()[1] < h.labels()[0] || h.labels()[1] > first) {
          bad++;
        }
      } catch (UserInputException e) {
        bad++;
      }
    }
    if (missing > 0) {
      warnings.add(missing + " identity records named by the header record are not in the index");
    }
    if (bad > 0) {
      warnings.add(bad + " identity records are unreadable or hold an image range outside [1, " + first + ")");
    }
  }

  /** Splits the index into slices of about {@code linesPerSlice} lines, cut at line starts. */
  public List<Slice> slices(int linesPerSlice) {
    List<Slice> out = new ArrayList<>();
    int n = index.size();
    for (int from = 0; from < n; from += linesPerSlice) {
      int to = Math.min(n, from + linesPerSlice);
      out.add(new Slice(index.lineStart(from), index.lineStart(to), from + 1L, to - from));
    }
    return out;
  }

  /** Number of index keys that hold images under this layout. */
  public long imageCount() {
    long c = 0;
    for (int i = 0; i < index.size(); i++) {
      if (layout.isImageKey(index.key(i))) {
        c++;
      }
    }
    return c;
  }

  public Path rec() {
    return rec;
  }

  public Path idx() {
    return index.path();
  }

  public RecordIoIndex index() {
    return index;
  }

  public RecordIoProperty property() {
    return property;
  }

  public Layout0 layout() {
    return layout;
  }

  public long declaredIdentities() {
    return declaredIdentities;
  }

  public List<String> warnings() {
    return warnings;
  }
}
