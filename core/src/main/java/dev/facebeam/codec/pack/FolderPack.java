package dev.facebeam.codec.pack;

import dev.facebeam.UserInputException;
import dev.facebeam.proto.Role;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A folder with one sub-folder per identity. Labels are the positions of the identity folders in
 * sorted order; images are taken in sorted order within each.
 */
public final class FolderPack implements FacePack {
  public static final int FILES_PER_TASK = 1_000;

  /** One image of the folder: its path under the root, its identity and label, its position. */
  /** One image, or (refused non-null) an identity folder that is refused whole, as one reject. */
  public record Item(String relativePath, String identity, long label, long index, String refused) implements Serializable {}

  private final String root;
  // Only the driver plans; workers get their items through the tasks, not through this field.
  private final transient List<ArrayList<Item>> tasks;
  private final long identities;
  private final List<String> warnings;

  private FolderPack(String root, List<ArrayList<Item>> tasks, long identities, List<String> warnings) {
    this.root = root;
    this.tasks = tasks;
    this.identities = identities;
    this.warnings = warnings;
  }

  public static FolderPack open(Path root) {
    return open(root, FILES_PER_TASK);
  }

  /** With tasks of {@code filesPerTask} images. */
  public static FolderPack open(Path root, int filesPerTask) {
    if (!Files.isDirectory(root)) {
      throw new UserInputException(root.toString(), "not a folder");
    }
    List<Path> identityDirs;
    long looseFiles;
    try (Stream<Path> s = Files.list(root)) {
      List<Path> all = s.sorted().toList();
      identityDirs = all.stream().filter(Files::isDirectory).toList();
      looseFiles = all.size() - identityDirs.size();
    } catch (IOException e) {
      throw new UserInputException(root.toString(), "cannot list folder: " + e.getMessage(), e);
    }
    List<ArrayList<Item>> tasks = new ArrayList<>();
    ArrayList<Item> current = new ArrayList<>();
    long index = 0;
    long skipped = 0;
    for (int label = 0; label < identityDirs.size(); label++) {
      Path dir = identityDirs.get(label);
      String identity = dir.getFileName().toString();
      try {
        PackPaths.resolveInside(root, identity);
      } catch (PackPaths.EscapeException e) {
        // A linked identity folder leading out of the pack: never listed, refused as one record.
        current.add(new Item(identity + "/", identity, label, index++, "identity folder " + e.getMessage()));
        continue;
      }
      List<Path> files;
      try (Stream<Path> s = Files.list(dir)) {
        files = s.sorted().toList();
      } catch (IOException e) {
        throw new UserInputException(dir.toString(), "cannot list folder: " + e.getMessage(), e);
      }
      for (Path f : files) {
        String name = f.getFileName().toString();
        String refused = null;
        if (name.indexOf('\uFFFD') >= 0 && !Files.exists(dir.resolve(name), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          // Listed, yet not there by its name as text (which is what a record keeps): bytes this JVM's
          // file-name encoding cannot hold, decoded to U+FFFD.
          refused = ImageFiles.undecodableName();
        } else {
          java.nio.file.attribute.BasicFileAttributes a;
          try {
            a = Files.readAttributes(f, java.nio.file.attribute.BasicFileAttributes.class);
          } catch (IOException e) {
            a = null; // a link to nothing: read() says so
          }
          if (a != null && a.isDirectory()) {
            continue;
          }
          if (a != null && !a.isRegularFile()) {
            // A FIFO, socket or device is never opened (a FIFO would block the read): a reject with its kind.
            refused = "not a regular file (" + ImageFiles.kind(f) + "): not read";
          } else if (!ImageFiles.looksLikeImage(name)) {
            skipped++;
            continue;
          }
        }
        current.add(new Item(identity + "/" + name, identity, label, index++, refused));
        if (current.size() == filesPerTask) {
          tasks.add(current);
          current = new ArrayList<>();
        }
      }
    }
    if (!current.isEmpty()) {
      tasks.add(current);
    }
    if (index == 0) {
      throw new UserInputException(root.toString(), "empty pack: no images in identity sub-folders");
    }
    List<String> warnings = new ArrayList<>();
    if (looseFiles > 0) {
      warnings.add(looseFiles + " files at the top level were ignored (images belong in one folder per identity)");
    }
    if (skipped > 0) {
      warnings.add(skipped + " files without an image extension were ignored");
    }
    return new FolderPack(root.toString(), tasks, identityDirs.size(), warnings);
  }

  @Override
  public String format() {
    return "folder";
  }

  @Override
  public List<ArrayList<Item>> tasks() {
    return tasks;
  }

  @Override
  public void read(Serializable task, FaceSink sink) {
    @SuppressWarnings("unchecked")
    List<Item> items = (List<Item>) task;
    for (Item item : items) {
      String id = RawFaces.id("img", item.index());
      String where = root + "/" + item.relativePath();
      if (item.refused() != null) {
        sink.reject(id, where, item.refused());
        continue;
      }
      try {
        Path p = PackPaths.resolveInside(Path.of(root), item.relativePath());
        sink.face(RawFaces.raw(id, where, item.index(), Role.LABELLED, ImageFiles.read(p))
            .setRelativePath(item.relativePath())
            .setIdentity(item.identity())
            .setLabel(item.label())
            .build());
      } catch (PackPaths.EscapeException e) {
        sink.reject(id, where, e.getMessage());
      } catch (IOException e) {
        sink.reject(id, where, "cannot read image: " + e.getMessage());
      }
    }
  }

  @Override
  public long expectedFaces() {
    return tasks.stream().mapToLong(List::size).sum();
  }

  @Override
  public List<String> inputFiles() {
    return List.of(root);
  }

  @Override
  public PackSummary summary() {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("labels", "identity folders in sorted order");
    return new PackSummary(identities, 0, 0, params, warnings);
  }
}
