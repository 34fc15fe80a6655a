package dev.facebeam.codec.pack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** Resolves paths named inside a pack, refusing any that would leave the pack's root. */
public final class PackPaths {
  private PackPaths() {}

  /** The file {@code name} under {@code root}; throws with a reason when it escapes. */
  public static Path resolveInside(Path root, String name) throws EscapeException {
    if (name.isEmpty() || name.indexOf('\0') >= 0) {
      throw new EscapeException("empty or invalid path '" + name + "'");
    }
    Path base = root.toAbsolutePath().normalize();
    Path p;
    try {
      p = base.resolve(name).normalize();
    } catch (InvalidPathException e) {
      throw new EscapeException("invalid path '" + name + "'");
    }
    if (!p.startsWith(base) || p.equals(base)) {
      throw new EscapeException("path '" + name + "' escapes the pack root " + base);
    }
    if (Files.exists(p)) {
      try {
        Path real = p.toRealPath();
        if (!real.startsWith(base.toRealPath())) {
          throw new EscapeException("path '" + name + "' leads through a link outside the pack root " + base);
        }
      } catch (IOException e) {
        throw new EscapeException("cannot resolve '" + name + "': " + e.getMessage());
      }
    }
    return p;
  }

  /** A path that leaves the pack. */
  public static final class EscapeException extends Exception {
    public EscapeException(String message) {
      super(message);
    }
  }
}
