package dev.facebeam.pipelines.megaface;

import dev.facebeam.UserInputException;
import dev.facebeam.codec.export.DevkitFeature;
import dev.facebeam.codec.export.NpyMatrix;
import dev.facebeam.codec.features.DistractorSlice;
import dev.facebeam.codec.features.UnitVector;
import dev.facebeam.codec.pack.MegaFacePack;
import dev.facebeam.io.StageFiles;
import dev.facebeam.io.StageOutput;
import dev.facebeam.pipelines.stage.StagePaths;
import dev.facebeam.proto.Embedding;
import dev.facebeam.proto.Role;
import dev.facebeam.proto.StageManifest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The probe and distractor sets of a {@code megaface} run, in whichever of the three forms they were
 * given: embed outputs of an ingested MegaFace pack; the devkit layout run.sh uses (lists
 * + {@code <path>_<algo>.bin} files); or NumPy matrices with lists (row i ↔ line i). Probes are read
 * here, in the driver (3,530 at most); distractors become slices that workers read.
 */
record MegaFaceInputs(Probes probes, List<DistractorSlice> slices, Set<String> distractorNoise, long noiseNotInLists, String input) {

  /** The probe set as read: unit rows, identity per row, noise flags, identity names, list entries skipped. */
  record Probes(float[][] vectors, int[] identity, boolean[] noisy, List<String> names, long missing) {}

  static MegaFaceInputs of(MegaFaceParams.Inputs form, String algo) {
    if (form instanceof MegaFaceParams.Devkit o) {
      Set<String> probeNoise = noiseSet(o.noise().facescrub());
      Set<String> distractorNoise = noiseSet(o.noise().megaface());
      Path list = StagePaths.local(o.facescrubList());
      Probes p = listedProbes(list, probeNoise, (entry, row) -> {
        Path f = StagePaths.local(o.facescrubFeatures()).resolve(entry[0]).resolve(DevkitFeature.fileName(entry[1], algo));
        if (!Files.isRegularFile(f)) {
          if (o.skipMissing()) {
            return null;
          }
          throw new UserInputException(f.toString(), "probe feature file missing (pass --skipMissing to count and skip)");
        }
        return DevkitFeature.readUnit(f);
      }, false);
      Path mlist = StagePaths.local(o.megafaceList());
      return new MegaFaceInputs(p, DistractorSlice.devkit(mlist, StagePaths.local(o.megafaceFeatures()).toString(), algo, o.skipMissing()),
          distractorNoise, notListed(list, 2, probeNoise, true) + notListed(mlist, 3, distractorNoise, false), mlist.toString());
    }
    if (form instanceof MegaFaceParams.Numpy o) {
      Set<String> probeNoise = noiseSet(o.noise().facescrub());
      Set<String> distractorNoise = noiseSet(o.noise().megaface());
      Path list = StagePaths.local(o.probesList());
      NpyMatrix m = NpyMatrix.open(StagePaths.local(o.probesNpy()));
      long lines = lines(list).size();
      if (lines != m.rows()) {
        throw new UserInputException(list.toString(), "has " + lines + " lines but " + o.probesNpy() + " has " + m.rows() + " rows (row i is line i)");
      }
      float[] all = new float[Math.toIntExact(m.rows() * m.cols())];
      m.readRows(0, (int) m.rows(), all, 0);
      Probes p = listedProbes(list, probeNoise, (entry, row) -> {
        float[] v = java.util.Arrays.copyOfRange(all, row * m.cols(), (row + 1) * m.cols());
        UnitVector.normalise(v, 0, v.length, o.probesNpy() + "@row=" + row);
        return v;
      }, true);
      Path dlist = StagePaths.local(o.distractorsList());
      return new MegaFaceInputs(p, DistractorSlice.npy(StagePaths.local(o.distractorsNpy()), dlist), distractorNoise,
          notListed(list, 2, probeNoise, true) + notListed(dlist, 3, distractorNoise, false), o.distractorsNpy().toString());
    }
    MegaFaceParams.Embedded o = (MegaFaceParams.Embedded) form;
    Path dir = StagePaths.local(o.distractors());
    StageManifest dm = StageOutput.requireIntact(dir);
    return new MegaFaceInputs(embeddedProbes(StagePaths.local(o.probes())),
        DistractorSlice.embedShards(dm.getShardsList().stream().map(dir::resolve).toList()), Set.of(), 0, o.distractors().toString());
  }

  /** Reads one probe's unit vector for a facescrub_lst entry ({person, file}) at list row {@code row}; null = missing, skip. */
  private interface ProbeReader {
    float[] read(String[] entry, int row);
  }

  /**
   * facescrub_lst-style probes: identity = person folder (labels in sorted order), noise key = file
   * name. With {@code rowPerLine} (NumPy) line i names row i, so a blank line is an error, not a skip:
   * skipping it would shift every later row onto the wrong identity.
   */
  private static Probes listedProbes(Path list, Set<String> noise, ProbeReader reader, boolean rowPerLine) {
    List<String> lines = lines(list);
    TreeSet<String> persons = new TreeSet<>();
    List<String[]> entries = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).isBlank() && !rowPerLine) {
        entries.add(null); // a blank line of a devkit list is no entry
        continue;
      }
      String[] parts = MegaFacePack.tail(lines.get(i).strip(), 2);
      if (parts == null) {
        throw new UserInputException(list + ":" + (i + 1), (lines.get(i).isBlank() ? "blank line, but row " + i + " of the matrix needs a name"
            : "a facescrub_lst path needs <person>/<file>: " + lines.get(i)));
      }
      entries.add(parts);
      persons.add(parts[0]);
    }
    List<String> names = new ArrayList<>(persons);
    List<float[]> vectors = new ArrayList<>();
    List<Integer> ids = new ArrayList<>();
    List<Boolean> noisy = new ArrayList<>();
    long missing = 0;
    for (int i = 0; i < entries.size(); i++) {
      if (entries.get(i) == null) {
        continue;
      }
      float[] v = reader.read(entries.get(i), i);
      if (v == null) {
        missing++;
        continue;
      }
      if (!vectors.isEmpty() && v.length != vectors.get(0).length) {
        throw new UserInputException(list + ":" + (i + 1), "feature of dimension " + v.length + ", the others have " + vectors.get(0).length);
      }
      vectors.add(v);
      ids.add(java.util.Collections.binarySearch(names, entries.get(i)[0]));
      noisy.add(noise.contains(entries.get(i)[1]));
    }
    if (vectors.isEmpty()) {
      throw new UserInputException(list.toString(), "no probe features");
    }
    boolean[] n = new boolean[noisy.size()];
    for (int i = 0; i < n.length; i++) {
      n[i] = noisy.get(i);
    }
    return new Probes(vectors.toArray(new float[0][]), ids.stream().mapToInt(Integer::intValue).toArray(), n, names, missing);
  }

  /** The PROBE records of an embed output, in id order; identity names from their person folders when known. */
  private static Probes embeddedProbes(Path dir) {
    StageManifest pm = StageOutput.requireIntact(dir);
    List<Embedding> probes = new ArrayList<>();
    try {
      for (String s : pm.getShardsList()) {
        for (Embedding e : StageFiles.readFramed(dir.resolve(s), Embedding.parser())) {
          if (e.getRole() == Role.PROBE) {
            probes.add(e);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (probes.isEmpty()) {
      throw new UserInputException(dir.toString(), "no PROBE embeddings: embed an ingested MegaFace pack");
    }
    probes.sort(Comparator.comparing(Embedding::getId));
    TreeMap<Long, String> names = new TreeMap<>();
    int p = probes.size();
    float[][] vectors = new float[p][];
    int[] label = new int[p];
    boolean[] noisy = new boolean[p];
    for (int i = 0; i < p; i++) {
      Embedding e = probes.get(i);
      vectors[i] = new float[e.getVectorCount()];
      for (int j = 0; j < vectors[i].length; j++) {
        vectors[i][j] = e.getVector(j);
      }
      if (vectors[i].length != vectors[0].length) {
        throw new UserInputException(dir.toString(), "probe " + e.getId() + " has dimension " + vectors[i].length + ", not " + vectors[0].length);
      }
      label[i] = (int) e.getLabel();
      noisy[i] = e.getNoisy();
      String[] person = MegaFacePack.tail(e.getRelativePath(), 2);
      names.putIfAbsent(e.getLabel(), person == null ? "label " + e.getLabel() : person[0]);
    }
    // Identities as 0..n-1 in label order, so names line up.
    List<Long> labels = new ArrayList<>(names.keySet());
    int[] identity = new int[p];
    for (int i = 0; i < p; i++) {
      identity[i] = java.util.Collections.binarySearch(labels, (long) label[i]);
    }
    return new Probes(vectors, identity, noisy, new ArrayList<>(names.values()), 0);
  }

  private static List<String> lines(Path list) {
    try {
      return dev.facebeam.io.TextFiles.readListLines(list);
    } catch (IOException e) {
      throw new UserInputException(list.toString(), "cannot read list: " + e.getMessage(), e);
    }
  }

  /** remove_noises.py's reading: '#' lines skipped, a tab-separated line's second field is the key. */
  static Set<String> noiseSet(Path file) {
    Set<String> set = new HashSet<>();
    if (file == null) {
      return set;
    }
    try {
      for (String line : dev.facebeam.io.TextFiles.readLines(file)) {
        String s = line.strip();
        if (s.isEmpty() || s.startsWith("#")) {
          continue;
        }
        set.add(s.contains("\t") ? s.split("\t")[1].strip() : s);
      }
    } catch (IOException e) {
      throw new UserInputException(file.toString(), "cannot read noise list: " + e.getMessage(), e);
    }
    return set;
  }

  /** Noise entries that name nothing in the list: counted and reported, not fatal. */
  private static long notListed(Path list, int parts, Set<String> noise, boolean fileNameOnly) {
    if (noise.isEmpty()) {
      return 0;
    }
    Set<String> keys = new HashSet<>();
    try {
      for (String l : dev.facebeam.io.TextFiles.readLines(list)) {
        String[] tail = MegaFacePack.tail(l.strip(), parts);
        if (tail != null) {
          keys.add(fileNameOnly ? tail[parts - 1] : String.join("/", tail));
        }
      }
    } catch (IOException e) {
      throw new UserInputException(list.toString(), "cannot read: " + e.getMessage(), e);
    }
    return noise.stream().filter(x -> !keys.contains(x)).count();
  }
}
