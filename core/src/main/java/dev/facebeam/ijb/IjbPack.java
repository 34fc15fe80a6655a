package dev.facebeam.ijb;

import dev.facebeam.codec.pack.FacePack;
import dev.facebeam.codec.pack.FaceSink;
import dev.facebeam.codec.pack.ImageFiles;
import dev.facebeam.codec.pack.PackPaths;
import dev.facebeam.codec.pack.PackSummary;
import dev.facebeam.codec.pack.RawFaces;
import dev.facebeam.codec.pack.TextSlice;
import dev.facebeam.ijb.IjbFaces;
import dev.facebeam.ijb.IjbTestsuite;
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
 * An IJB-B or IJB-C testsuite (docs/ijb.md): every face of {@code loose_crop/} named by
 * {@code meta/<t>_name_5pts_score.txt}, to be aligned from its five landmarks, with its template,
 * media and faceness from the lists. The lists are checked whole when the pack opens (a line of
 * the wrong shape is an error naming it); a missing or unreadable image is a reject.
 */
public final class IjbPack implements FacePack {
  public static final int LINES_PER_SLICE = 2_000;

  private final String root;
  private final String target;
  private final String scores;
  // Only the driver plans: a worker gets a task's own template, media and faceness with the task, so
  // that what travels with each task does not grow with the pack (IJB-C: 469,375 faces).
  private final transient List<Task> tasks;
  private final long faces;
  private final long templateCount;

  /** A slice of the face list with the template, media and faceness of its faces. */
  public record Task(TextSlice lines, int[] templates, int[] medias, float[] faceness) implements Serializable {}

  private IjbPack(IjbTestsuite suite, List<TextSlice> slices, IjbFaces faces) {
    this.root = suite.root().toString();
    this.target = suite.target();
    this.scores = suite.faceScores().toString();
    this.faces = faces.size();
    this.templateCount = java.util.Arrays.stream(faces.templates()).distinct().count();
    this.tasks = new java.util.ArrayList<>();
    for (TextSlice s : slices) {
      int from = (int) s.firstLine() - 1; // the lists were checked whole at open: line i is face i - 1
      int to = Math.min(from + s.count(), faces.size());
      tasks.add(new Task(s, java.util.Arrays.copyOfRange(faces.templates(), from, to),
          java.util.Arrays.copyOfRange(faces.medias(), from, to), java.util.Arrays.copyOfRange(faces.faceness(), from, to)));
    }
  }

  /** Whether a folder is an IJB testsuite: a {@code meta/ijbb_} or {@code meta/ijbc_name_5pts_score.txt}. */
  public static boolean looksLike(Path dir) {
    return Files.isRegularFile(dir.resolve("meta/ijbb_name_5pts_score.txt"))
        || Files.isRegularFile(dir.resolve("meta/ijbc_name_5pts_score.txt"));
  }

  public static IjbPack open(Path root) {
    return open(root, LINES_PER_SLICE);
  }

  /** With tasks of {@code linesPerSlice} faces. */
  public static IjbPack open(Path root, int linesPerSlice) {
    IjbTestsuite suite = IjbTestsuite.open(root, null);
    IjbFaces faces = IjbFaces.read(suite.faceScores(), suite.faceTemplates());
    if (faces.size() == 0) {
      throw new dev.facebeam.UserInputException(suite.faceScores().toString(), "empty pack: the list names no faces");
    }
    return new IjbPack(suite, TextSlice.plan(suite.faceScores(), linesPerSlice), faces);
  }

  @Override
  public String format() {
    return "ijb";
  }

  @Override
  public List<Task> tasks() {
    return tasks;
  }

  @Override
  public void read(Serializable task, FaceSink sink) {
    Path crops = Path.of(root, "loose_crop");
    Task t = (Task) task;
    for (TextSlice.Line line : t.lines().lines()) {
      if (line.text().isBlank()) {
        continue;
      }
      int face = (int) line.number() - 1; // the lists were checked whole at open: line i is face i - 1
      int i = (int) (line.number() - t.lines().firstLine());
      String[] f = line.text().strip().split(" +");
      String id = RawFaces.id("ijb", face);
      String where = scores + ":" + line.number();
      try {
        Path image = PackPaths.resolveInside(crops, f[0]);
        byte[] bytes = ImageFiles.read(image);
        double[][] points = new double[5][];
        for (int k = 0; k < 5; k++) {
          points[k] = new double[] {Double.parseDouble(f[1 + 2 * k]), Double.parseDouble(f[2 + 2 * k])};
        }
        FaceRecord.Builder b = RawFaces.raw(id, where + " " + f[0], face, Role.TEMPLATE_FACE, bytes)
            .setRelativePath(f[0])
            .setTemplateId(t.templates()[i])
            .setMediaId(t.medias()[i])
            .setFaceness(t.faceness()[i]);
        sink.face(RawFaces.withGeometry(b, null, points).build());
      } catch (PackPaths.EscapeException e) {
        sink.reject(id, where, e.getMessage());
      } catch (IOException e) {
        sink.reject(id, where + " " + f[0], "cannot read image: " + e.getMessage());
      }
    }
  }

  @Override
  public long expectedFaces() {
    return faces;
  }

  @Override
  public List<String> inputFiles() {
    return List.of(scores, Path.of(root, "meta", target.toLowerCase(java.util.Locale.ROOT) + "_face_tid_mid.txt").toString());
  }

  @Override
  public PackSummary summary() {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("target", target);
    params.put("templates", Long.toString(templateCount));
    return new PackSummary(0, 0, 0, params, List.of());
  }
}
