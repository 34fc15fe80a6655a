package dev.facebeam.io;

import dev.facebeam.UserInputException;
import dev.facebeam.proto.StageManifest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The rule every output path obeys (docs/outputs.md): a command may create a new folder (or use an
 * empty one) or replace an earlier output of the same stage, recognised by its {@code manifest.json};
 * anything else — an existing file, a folder with other content, the working directory or a folder
 * above it, an input or a folder holding one — is an error naming the path, before any work.
 */
public final class OutputGuard {
  private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

  private OutputGuard() {}

  /**
   * Checks {@code raw} (the value of {@code option}) as an output folder of {@code stage} and returns
   * it absolute. {@code inputs} are the paths the command reads (null entries are ignored).
   */
  public static Path folder(String option, String raw, String stage, Collection<Path> inputs) {
    Path out = resolve(option, raw);
    notAroundInputs(option, out, inputs);
    if (!Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
      return out;
    }
    String shown = option + "=" + raw + " (" + out + ")";
    if (Files.isSymbolicLink(out)) {
      throw new UserInputException(shown, "is a symbolic link; name a new folder");
    }
    if (!Files.isDirectory(out)) {
      throw new UserInputException(shown, "is an existing file, not " + article(stage) + " output; name a new folder");
    }
    if (isEmpty(out)) {
      return out;
    }
    String found = stageOf(out);
    if (found == null) {
      throw new UserInputException(shown, "is a folder with files that facebeam did not write (no manifest.json of "
          + article(stage) + " output); refusing to replace it: name a new folder, or remove it yourself");
    }
    if (!found.equals(stage)) {
      throw new UserInputException(shown, "is a facebeam " + found + " output, not " + article(stage)
          + " output; refusing to replace it: name another folder");
    }
    return out;
  }

  /** {@link #folder} for outputs that fill a folder over time (evaluate, run, train): marks it as ours at once. */
  public static Path claim(String option, String raw, String stage, Collection<Path> inputs) {
    Path out = folder(option, raw, stage, inputs);
    try {
      Files.createDirectories(out);
      if (!Files.exists(out.resolve(StageOutput.MANIFEST))) {
        StageFiles.writeAtomically(out.resolve(StageOutput.MANIFEST), StageOutput.toJson(StageManifest.newBuilder()
            .setStage(stage).setCreated(Instant.now().toString()).build()) + "\n");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + out + ": " + e.getMessage(), e);
    }
    return out;
  }

  /**
   * Checks the files a command writes side by side (pack's {@code .rec}, {@code .idx}, {@code property}):
   * each may be new, or one that {@code sidecar} — the manifest of an earlier run of the same stage —
   * lists as its own.
   */
  public static void files(String option, String raw, String stage, Path sidecar, List<Path> writes, Collection<Path> inputs) {
    Path out = resolve(option, raw);
    notAroundInputs(option, out, inputs);
    List<String> ours = new java.util.ArrayList<>();
    if (Files.isRegularFile(sidecar)) {
      try {
        StageManifest m = StageOutput.readManifest(sidecar.getParent(), sidecar.getFileName().toString());
        if (m.getStage().equals(stage)) {
          m.getOutputsList().forEach(d -> ours.add(d.getPath()));
          ours.add(sidecar.getFileName().toString());
        }
      } catch (IOException | RuntimeException e) {
        ours.clear();
      }
    }
    for (Path w : writes) {
      Path abs = w.toAbsolutePath().normalize();
      if (Files.exists(abs, LinkOption.NOFOLLOW_LINKS) && !ours.contains(abs.getFileName().toString())) {
        Path other = listedByAnother(abs, stage, sidecar);
        if (other != null) {
          throw new UserInputException(option + "=" + raw + " (" + abs + ")", "is written by the facebeam " + stage
              + " listed in " + other.getFileName() + " (another output in this folder) and would be replaced under it;"
              + " name a file in another folder, or remove that output yourself");
        }
        throw new UserInputException(option + "=" + raw + " (" + abs + ")", (Files.isDirectory(abs) ? "is a folder" : "is an existing file")
            + " that facebeam did not write (not listed in " + sidecar.getFileName() + "); refusing to replace it: "
            + "name a new file, or remove it yourself");
      }
    }
  }

  /** The manifest (NAME.manifest.json beside {@code file}) of another output of {@code stage} that lists {@code file}, or null. */
  private static Path listedByAnother(Path file, String stage, Path sidecar) {
    try (DirectoryStream<Path> s = Files.newDirectoryStream(file.getParent(), "*.manifest.json")) {
      for (Path m : s) {
        if (m.equals(sidecar.toAbsolutePath().normalize())) {
          continue;
        }
        try {
          StageManifest other = StageOutput.readManifest(m.getParent(), m.getFileName().toString());
          if (other.getStage().equals(stage) && other.getOutputsList().stream().anyMatch(d -> d.getPath().equals(file.getFileName().toString()))) {
            return m;
          }
        } catch (IOException | RuntimeException e) {
          // not a manifest of ours
        }
      }
    } catch (IOException e) {
      return null;
    }
    return null;
  }

  /** A run-config target or {@code --targets} entry: a plain name, so its outputs stay inside the work folder. */
  public static String plainName(String where, String name) {
    if (name == null || !PLAIN_NAME.matcher(name).matches() || name.equals("..")) {
      throw new UserInputException(where, "target '" + name + "' is not a plain name (letters, digits, '_', '-', '.';"
          + " no '/', no leading '.'): outputs are written under <folder>/<stage>/<target>");
    }
    return name;
  }

  private static Path resolve(String option, String raw) {
    if (raw == null || raw.isBlank()) {
      throw new UserInputException(option, "is empty: name the folder to write");
    }
    Path out = Path.of(raw).toAbsolutePath().normalize();
    Path cwd = Path.of("").toAbsolutePath().normalize();
    if (cwd.startsWith(out)) {
      throw new UserInputException(option + "=" + raw + " (" + out + ")",
          out.equals(cwd) ? "is the working directory; name a new folder" : "holds the working directory; name a new folder");
    }
    if (out.getParent() == null) {
      throw new UserInputException(option + "=" + raw, "is the file-system root");
    }
    for (Path p = out; p != null && p.getFileName() != null; p = p.getParent()) {
      int bytes = p.getFileName().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
      if (bytes > StageOutput.NAME_BYTES) {
        throw new UserInputException(option + "=" + raw, "the name '" + p.getFileName() + "' is " + bytes
            + " bytes long; file systems allow " + StageOutput.NAME_BYTES);
      }
    }
    for (Path p = out.getParent(); p != null; p = p.getParent()) {
      if (Files.exists(p)) {
        if (!Files.isDirectory(p)) {
          throw new UserInputException(option + "=" + raw, p + " is a file, not a folder: nothing can be written below it");
        }
        break;
      }
    }
    return out;
  }

  private static void notAroundInputs(String option, Path out, Collection<Path> inputs) {
    for (Path in : inputs.stream().filter(Objects::nonNull).toList()) {
      for (Path input : List.of(in.toAbsolutePath().normalize(), real(in))) {
        String shown = option + "=" + out;
        if (input.equals(out)) {
          throw new UserInputException(shown, "is an input of this command (" + in + "); name a new folder");
        }
        if (input.startsWith(out)) {
          throw new UserInputException(shown, "holds an input of this command (" + in + "); name a new folder");
        }
        if (out.startsWith(input) && Files.isDirectory(input)) {
          throw new UserInputException(shown, "is inside the input folder " + in + "; name a folder outside it");
        }
      }
    }
  }

  private static String article(String stage) {
    return ("aeiou".indexOf(stage.charAt(0)) >= 0 ? "an " : "a ") + stage;
  }

  private static Path real(Path p) {
    try {
      return p.toRealPath();
    } catch (IOException e) {
      return p.toAbsolutePath().normalize();
    }
  }

  private static boolean isEmpty(Path dir) {
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
      return !s.iterator().hasNext();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The stage named by the folder's manifest, or null when it has none we can read. */
  static String stageOf(Path dir) {
    try {
      String s = StageOutput.readManifest(dir).getStage();
      return s.isEmpty() ? null : s;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
