package dev.facebeam.codec.pack;

import dev.facebeam.UserInputException;
import dev.facebeam.proto.FaceRecord;
import dev.facebeam.proto.Role;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An image list ({@code .lst}) of a user's own images, with optional bbox and 5 landmarks per line.
 * Paths are resolved under the image root (the list's folder unless given) and may not leave it.
 */
public final class LstPack implements FacePack {
  public static final int LINES_PER_SLICE = 2_000;

  private final String lst;
  private final String root;
  // Only the driver plans: workers get their slice with the task, not the whole list (docs/ingest.md).
  private final transient List<TextSlice> slices;
  private final long lines;

  private LstPack(String lst, String root, List<TextSlice> slices) {
    this.lst = lst;
    this.root = root;
    this.slices = slices;
    this.lines = slices.stream().mapToLong(TextSlice::count).sum();
  }

  public static LstPack open(Path lst, Path imageRoot) {
    return open(lst, imageRoot, LINES_PER_SLICE);
  }

  /** With tasks of {@code linesPerSlice} lines. */
  public static LstPack open(Path lst, Path imageRoot, int linesPerSlice) {
    if (!Files.isRegularFile(lst)) {
      throw new UserInputException(lst.toString(), "no such list file");
    }
    Path root = imageRoot != null ? imageRoot : lst.toAbsolutePath().getParent();
    List<TextSlice> slices = TextSlice.plan(lst, linesPerSlice);
    boolean any;
    try {
      any = dev.facebeam.io.TextFiles.readLines(lst).stream().anyMatch(l -> !l.isBlank());
    } catch (IOException e) {
      throw new UserInputException(lst.toString(), "cannot read list: " + e.getMessage(), e);
    }
    if (!any) {
      throw new UserInputException(lst.toString(), "empty pack: the list names no images");
    }
    return new LstPack(lst.toString(), root.toString(), slices);
  }

  @Override
  public String format() {
    return "lst";
  }

  @Override
  public List<TextSlice> tasks() {
    return slices;
  }

  @Override
  public void read(Serializable task, FaceSink sink) {
    for (TextSlice.Line line : ((TextSlice) task).lines()) {
      if (line.text().isBlank()) {
        continue;
      }
      String id = RawFaces.id("lst", line.number());
      String where = lst + ":" + line.number();
      LstLine parsed;
      try {
        parsed = LstLine.parse(line.text());
      } catch (IllegalArgumentException e) {
        sink.reject(id, where, "malformed list line: " + e.getMessage());
        continue;
      }
      try {
        Path image = PackPaths.resolveInside(Path.of(root), parsed.path());
        byte[] bytes = ImageFiles.read(image);
        FaceRecord.Builder b = RawFaces.raw(id, where + " " + parsed.path(), line.number(), Role.LABELLED, bytes)
            .setRelativePath(parsed.path())
            .setLabel(parsed.label())
            .setDeclaredAligned(parsed.aligned());
        sink.face(RawFaces.withGeometry(b, parsed.bbox(), parsed.landmarks()).build());
      } catch (PackPaths.EscapeException e) {
        sink.reject(id, where, e.getMessage());
      } catch (IOException e) {
        sink.reject(id, where + " " + parsed.path(), "cannot read image: " + e.getMessage());
      }
    }
  }

  @Override
  public long expectedFaces() {
    return lines;
  }

  @Override
  public List<String> inputFiles() {
    return List.of(lst);
  }

  @Override
  public PackSummary summary() {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("image_root", root);
    return new PackSummary(0, 0, 0, params, List.of());
  }
}
