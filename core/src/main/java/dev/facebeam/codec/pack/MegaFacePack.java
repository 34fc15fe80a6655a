package dev.facebeam.codec.pack;

import dev.facebeam.UserInputException;
import dev.facebeam.proto.FaceRecord;
import dev.facebeam.proto.Role;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * InsightFace's MegaFace test pack (docs/formats.md): {@code facescrub_lst} and {@code megaface_lst} name
 * images under {@code facescrub_images/} and {@code megaface_images/}; the noise lists flag
 * mislabelled probes and celebrity distractors. A probe's identity is its person folder.
 */
public final class MegaFacePack implements FacePack {
  public static final int LINES_PER_SLICE = 5_000;

  /** A slice of one of the two lists. */
  public record Slice(boolean probes, TextSlice lines) implements Serializable {}

  private final String root;
  // Only the driver plans: workers get their slice with the task, not the whole list (docs/ingest.md).
  private final transient List<Slice> slices;
  private final HashMap<String, Long> personLabels;
  private final HashSet<String> probeNoise;
  private final HashSet<String> distractorNoise;
  private final List<String> warnings;
  private final long probeLines;
  private final long distractorLines;

  private MegaFacePack(String root, List<Slice> slices, HashMap<String, Long> personLabels, HashSet<String> probeNoise,
      HashSet<String> distractorNoise, List<String> warnings, long probeLines, long distractorLines) {
    this.root = root;
    this.slices = slices;
    this.personLabels = personLabels;
    this.probeNoise = probeNoise;
    this.distractorNoise = distractorNoise;
    this.warnings = warnings;
    this.probeLines = probeLines;
    this.distractorLines = distractorLines;
  }

  public static boolean looksLike(Path dir) {
    return Files.isRegularFile(dir.resolve("facescrub_lst")) || Files.isRegularFile(dir.resolve("megaface_lst"));
  }

  public static MegaFacePack open(Path root) {
    return open(root, LINES_PER_SLICE);
  }

  /** With tasks of {@code linesPerSlice} lines. */
  public static MegaFacePack open(Path root, int linesPerSlice) {
    Path fs = root.resolve("facescrub_lst");
    Path mf = root.resolve("megaface_lst");
    for (Path p : List.of(fs, mf)) {
      if (!Files.isRegularFile(p)) {
        throw new UserInputException(p.toString(), "missing list: a MegaFace pack needs facescrub_lst and megaface_lst");
      }
    }
    List<String> warnings = new ArrayList<>();
    HashSet<String> probeNoise = noise(root.resolve("facescrub_noises.txt"), false, warnings);
    HashSet<String> distractorNoise = noise(root.resolve("megaface_noises.txt"), true, warnings);
    // Labels: FaceScrub persons in sorted order.
    TreeSet<String> persons = new TreeSet<>();
    long probeLines = 0;
    for (String line : readLines(fs)) {
      String[] parts = tail(line.strip(), 2);
      if (parts != null && !parts[0].equals("..") && !parts[0].equals(".")) {
        persons.add(parts[0]);
        probeLines++;
      }
    }
    long distractorLines = 0;
    for (String line : readLines(mf)) {
      distractorLines += line.isBlank() ? 0 : 1;
    }
    if (probeLines == 0 && distractorLines == 0) {
      throw new UserInputException(root.toString(), "empty pack: both lists are empty");
    }
    HashMap<String, Long> labels = new HashMap<>();
    long l = 0;
    for (String p : persons) {
      labels.put(p, l++);
    }
    List<Slice> slices = new ArrayList<>();
    for (TextSlice s : TextSlice.plan(fs, linesPerSlice)) {
      slices.add(new Slice(true, s));
    }
    for (TextSlice s : TextSlice.plan(mf, linesPerSlice)) {
      slices.add(new Slice(false, s));
    }
    return new MegaFacePack(root.toString(), slices, labels, probeNoise, distractorNoise, warnings, probeLines, distractorLines);
  }

  private static List<String> readLines(Path p) {
    try {
      return dev.facebeam.io.TextFiles.readLines(p);
    } catch (IOException e) {
      throw new UserInputException(p.toString(), "cannot read list: " + e.getMessage(), e);
    }
  }

  /** remove_noises.py: '#' lines skipped; a tab-separated line's second field is the key. */
  private static HashSet<String> noise(Path file, boolean distractors, List<String> warnings) {
    HashSet<String> set = new HashSet<>();
    if (!Files.isRegularFile(file)) {
      warnings.add("no " + file.getFileName() + ": noise handling will see no " + (distractors ? "noisy distractors" : "noisy probes"));
      return set;
    }
    for (String line : readLines(file)) {
      String s = line.strip();
      if (s.isEmpty() || s.startsWith("#")) {
        continue;
      }
      if (s.contains("\t")) {
        s = s.split("\t")[1].strip();
      }
      set.add(s);
    }
    return set;
  }

  /** The last n '/'-separated parts of a path, or null when it has fewer. */
  public static String[] tail(String path, int n) {
    String[] parts = path.replace('\\', '/').split("/");
    List<String> kept = new ArrayList<>();
    for (String p : parts) {
      if (!p.isEmpty()) {
        kept.add(p);
      }
    }
    if (kept.size() < n) {
      return null;
    }
    return kept.subList(kept.size() - n, kept.size()).toArray(new String[0]);
  }

  @Override
  public String format() {
    return "megaface";
  }

  @Override
  public List<Slice> tasks() {
    return slices;
  }

  @Override
  public void read(Serializable task, FaceSink sink) {
    Slice slice = (Slice) task;
    Path images = Path.of(root, slice.probes() ? "facescrub_images" : "megaface_images");
    for (TextSlice.Line line : slice.lines().lines()) {
      String text = line.text().strip();
      if (text.isEmpty()) {
        continue;
      }
      String id = RawFaces.id(slice.probes() ? "probe" : "distractor", line.number());
      String where = slice.lines().path() + ":" + line.number();
      String[] parts = tail(text, slice.probes() ? 2 : 3);
      if (parts == null) {
        sink.reject(id, where, "path '" + text + "' has too few parts (expected " + (slice.probes() ? "<person>/<file>" : "<a1>/<a2>/<file>") + ")");
        continue;
      }
      String relative = String.join("/", parts);
      try {
        Path image = PackPaths.resolveInside(images, relative);
        FaceRecord.Builder b = RawFaces.raw(id, images + "/" + relative, line.number(),
                slice.probes() ? Role.PROBE : Role.DISTRACTOR, ImageFiles.read(image))
            .setRelativePath(relative);
        if (slice.probes()) {
          b.setIdentity(parts[0]).setLabel(personLabels.get(parts[0])).setNoisy(probeNoise.contains(parts[1]));
        } else {
          b.setNoisy(distractorNoise.contains(relative));
          Path json = image.resolveSibling(image.getFileName() + ".json");
          if (Files.isRegularFile(json)) {
            MegaFaceLandmarks lm = MegaFaceLandmarks.read(json);
            RawFaces.withGeometry(b, lm.bbox(), lm.threePoints());
          }
        }
        sink.face(b.build());
      } catch (PackPaths.EscapeException e) {
        sink.reject(id, where, e.getMessage());
      } catch (IOException e) {
        sink.reject(id, where + " " + relative, "cannot read: " + e.getMessage());
      }
    }
  }

  @Override
  public long expectedFaces() {
    return probeLines + distractorLines;
  }

  @Override
  public List<String> inputFiles() {
    List<String> files = new ArrayList<>();
    for (String n : List.of("facescrub_lst", "megaface_lst", "facescrub_noises.txt", "megaface_noises.txt")) {
      if (Files.isRegularFile(Path.of(root, n))) {
        files.add(Path.of(root, n).toString());
      }
    }
    return files;
  }

  @Override
  public PackSummary summary() {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("probe_lines", Long.toString(probeLines));
    params.put("distractor_lines", Long.toString(distractorLines));
    params.put("probe_noise_entries", Integer.toString(probeNoise.size()));
    params.put("distractor_noise_entries", Integer.toString(distractorNoise.size()));
    return new PackSummary(personLabels.size(), 0, 0, params, warnings);
  }

  /** Names of the FaceScrub persons, for reports. */
  public Set<String> persons() {
    return personLabels.keySet();
  }
}
