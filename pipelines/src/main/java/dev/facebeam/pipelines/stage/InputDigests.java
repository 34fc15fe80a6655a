package dev.facebeam.pipelines.stage;

import dev.facebeam.io.Digests;
import dev.facebeam.proto.FileDigest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The content hashes of a stage's input files for its manifest, computed on a thread of their own while the
 * stage works, each file once however often it is named. Hashed after the work, IJB-C's 1.9 GB of features (twice)
 * took seconds of one core at the end, while most of the stage's reading and pooling leaves the other core idle.
 */
public final class InputDigests {
  private final Map<Path, CompletableFuture<FileDigest>> digests = new LinkedHashMap<>();

  private InputDigests(List<Path> files) {
    for (Path f : files) {
      digests.putIfAbsent(f, new CompletableFuture<>());
    }
    Thread t = new Thread(() -> {
      for (Map.Entry<Path, CompletableFuture<FileDigest>> e : digests.entrySet()) {
        try {
          e.getValue().complete(Digests.of(e.getKey(), e.getKey().toString(), Long.MAX_VALUE));
        } catch (IOException | RuntimeException x) {
          e.getValue().completeExceptionally(x);
        }
      }
    }, "input-digests");
    t.setDaemon(true);
    t.start();
  }

  /** Starts hashing {@code files} (each must exist: check them first) in their order. */
  public static InputDigests start(List<Path> files) {
    return new InputDigests(files);
  }

  /** Each named file's size and SHA-256, in the order first named; waits for the hashing to finish. */
  public List<FileDigest> all() {
    List<FileDigest> out = new ArrayList<>();
    for (Path f : digests.keySet()) {
      out.add(of(f));
    }
    return out;
  }

  /** The SHA-256 of one of the files. */
  public String sha256(Path file) {
    return of(file).getSha256();
  }

  private FileDigest of(Path file) {
    CompletableFuture<FileDigest> d = digests.get(file);
    if (d == null) {
      throw new IllegalArgumentException(file + " was not given to hash");
    }
    try {
      return d.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof IOException io) {
        throw new UncheckedIOException("cannot hash " + file + ": " + io.getMessage(), io);
      }
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }
}
