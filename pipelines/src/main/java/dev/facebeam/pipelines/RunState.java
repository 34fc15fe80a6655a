package dev.facebeam.pipelines;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.facebeam.io.Digests;
import dev.facebeam.io.StageFiles;
import dev.facebeam.io.StageOutput;
import dev.facebeam.proto.FileDigest;
import dev.facebeam.proto.StageManifest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What {@code run} remembers of each stage output in a work folder ({@code run-state.json}): the
 * fingerprint of its inputs and parameters, and the SHA-256 of the manifest it committed. A stage is
 * skipped only when the fingerprint is the same, the manifest is the one recorded (not edited or
 * truncated by hand) and every output file still has the size and hash the manifest lists.
 */
final class RunState {
  static final String FILE = "run-state.json";
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();
  private final Path file;
  private final JsonObject stages;

  private RunState(Path file, JsonObject stages) {
    this.file = file;
    this.stages = stages;
  }

  static RunState load(Path workdir) {
    Path f = workdir.resolve(FILE);
    JsonObject o = new JsonObject();
    if (Files.isRegularFile(f)) {
      try {
        o = JsonParser.parseString(Files.readString(f, StandardCharsets.UTF_8)).getAsJsonObject();
      } catch (IOException | RuntimeException e) {
        o = new JsonObject(); // an unreadable state only means every stage reruns
      }
    }
    return new RunState(f, o);
  }

  /** Why the stage output at {@code dir} must be (re)built, or null when it is current. */
  String staleness(String key, Path dir, String fingerprint) {
    JsonObject s = stages.getAsJsonObject(key);
    if (s == null || !Files.isDirectory(dir)) {
      return "not built yet";
    }
    if (!fingerprint.equals(s.get("fingerprint").getAsString())) {
      return "inputs or parameters changed";
    }
    Path manifest = dir.resolve(StageOutput.MANIFEST);
    try {
      if (!Files.isRegularFile(manifest) || !Digests.sha256(manifest).equals(s.get("manifest_sha256").getAsString())) {
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
      JsonObject s = new JsonObject();
      s.addProperty("fingerprint", fingerprint);
      s.addProperty("manifest_sha256", Digests.sha256(dir.resolve(StageOutput.MANIFEST)));
      stages.add(key, s);
      StageFiles.writeAtomically(file, GSON.toJson(stages) + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
