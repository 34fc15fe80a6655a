package dev.facebeam;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packages of a source folder as floors, lowest first: a class may name (by import or by its full
 * name) a package on its own floor or below, never one above — so no two packages tie each other and
 * each can be read knowing only those under it. Used by each module's layering test.
 */
public final class PackageLayers {
  private PackageLayers() {}

  /**
   * Every reference in {@code root}'s sources (the folder of package {@code base}) from a package to
   * one above it in {@code floors}, as "file: names base.pkg"; a package not in {@code floors} is
   * reported too, so a new one must be given its place.
   */
  public static List<String> upward(Path root, String base, List<String> floors) throws IOException {
    Pattern ref = Pattern.compile(Pattern.quote(base) + "\\.([a-z]+)\\b");
    List<String> wrong = new ArrayList<>();
    List<Path> files;
    try (var s = Files.walk(root)) {
      files = s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    }
    for (Path f : files) {
      Path rel = root.relativize(f);
      if (rel.getNameCount() < 2) {
        continue; // a class of the base package itself sits below every floor
      }
      String own = rel.getName(0).toString();
      int floor = floors.indexOf(own);
      if (floor < 0) {
        wrong.add(rel + ": package " + own + " has no floor in the layering test");
        continue;
      }
      Matcher m = ref.matcher(Files.readString(f, StandardCharsets.UTF_8));
      while (m.find()) {
        int other = floors.indexOf(m.group(1));
        if (other > floor) {
          wrong.add(rel + ": names " + base + "." + m.group(1));
        }
      }
    }
    return wrong;
  }
}
