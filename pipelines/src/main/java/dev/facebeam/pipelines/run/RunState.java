package dev.facebeam.pipelines.run;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.reflect.TypeToken;
import dev.facebeam.io.Digests;
import dev.facebeam.io.StageFiles;
import dev.facebeam.io.StageOutput;
import dev.facebeam.proto.FileDigest;
import dev.facebeam.proto.StageManifest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@code run} remembers of each stage output in a work folder ({@code run-state.json}): the
 * fingerprint of its inputs and parameters, and the SHA-256 of the manifest it committed. A stage is
 * skipped only when the fingerprint is the same, the manifest is the one recorded (not edited or
 * truncated by hand) and every output file still has the size and hash the manifest lists.
 */
final class RunState {
  static final String FILE = "run-state.json";
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting()
      .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES).create();
  private static final Type STAGES = new TypeToken<LinkedHashMap<String, Entry>>() {}.getType();

  /** One stage output as {@code run} committed it. */
  record Entry(String fingerprint, String manifestSha256) {}

  private final Path file;
  private final Map<String, Entry> stages;

  private RunState(Path file, Map<String, Entry> stages) {
    this.file = file;
    this.stages = stages;
  }

  static RunState load(Path workdir) {
    Path f = workdir.resolve(FILE);
    Map<String, Entry> stages = null;
    if (Files.isRegularFile(f)) {
      try {
        stages = GSON.fromJson(Files.readString(f, StandardCharsets.UTF_8), STAGES);
      } catch (IOException | RuntimeException e) {
        stages = null; // an unreadable state only means every stage reruns
      }
    }
    return new RunState(f, stages == null ? new LinkedHashMap<>() : stages);
  }

  /** Why the stage output at {@code dir} must be (re)built, or null when it is current. */
  String staleness(String key, Path dir, String fingerprint) {
    Entry s = stages.get(key);
    if (s == null || !Files.isDirectory(dir)) {
      return "not built yet";
    }
    if (!fingerprint.equals(s.fingerprint())) {
      return "inputs or parameters changed";
    }
    Path manifest = dir.resolve(StageOutput.MANIFEST);
    try {
      if (!Files.isRegularFile(manifest) || !Digests.sha256(manifest).equals(s.manifestSha256())) {
        return "manifest " + manifest + " differs from the one committed (edited or truncated): rebuilding";
      }
      StageManifest m = StageOutput.readManifest(dir);
      for (FileDigest d : m.getOutputsList()) {
        Path out = dir.resolve(d.getPath());
        if (!Files.isRegularFile(out) || Files.size(out) != d.getBytes() || !Digests.sha256(out).equals(d.getSha256())) {
          return "output " + out + " differs from its manifest: rebuilding";
        }
      }
    } catch (IOException | RuntimeException e) {
      return "manifest unreadable (" + e.getMessage() + "): rebuilding";
    }
    return null;
  }

  void record(String key, Path dir, String fingerprint) {
    try {
      stages.put(key, new Entry(fingerprint, Digests.sha256(dir.resolve(StageOutput.MANIFEST))));
      StageFiles.writeAtomically(file, GSON.toJson(stages, STAGES) + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
