package dev.facebeam.ijb;

import dev.facebeam.UserInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * An IJB-B or IJB-C folder (docs/ijb.md): the target is told by which {@code meta/<t>_name_5pts_score.txt}
 * is there, unless given.
 */
public record IjbTestsuite(Path root, String target) {
  public static final String IJBB = "IJBB";
  public static final String IJBC = "IJBC";

  public static IjbTestsuite open(Path root, String target) {
    if (!Files.isDirectory(root.resolve("meta"))) {
      throw new UserInputException(root.toString(), "not an IJB testsuite folder: no meta/ in it");
    }
    if (target == null) {
      boolean b = Files.isRegularFile(root.resolve("meta/ijbb_name_5pts_score.txt"));
      boolean c = Files.isRegularFile(root.resolve("meta/ijbc_name_5pts_score.txt"));
      if (b == c) {
        throw new UserInputException(root.toString(), (b ? "holds both ijbb_ and ijbc_" : "holds neither ijbb_ nor ijbc_")
            + "name_5pts_score.txt in meta/: pass --target=IJBB or --target=IJBC");
      }
      target = b ? IJBB : IJBC;
    }
    String t = target.toUpperCase(Locale.ROOT);
    if (!t.equals(IJBB) && !t.equals(IJBC)) {
      throw new UserInputException("--target", "'" + target + "' is not IJBB or IJBC");
    }
    return new IjbTestsuite(root, t);
  }

  private Path meta(String suffix) {
    return root.resolve("meta").resolve(target.toLowerCase(Locale.ROOT) + "_" + suffix);
  }

  public Path faceScores() {
    return meta("name_5pts_score.txt");
  }

  public Path faceTemplates() {
    return meta("face_tid_mid.txt");
  }

  public Path pairs() {
    return meta("template_pair_label.txt");
  }

  /** The two 1:N galleries: G1/G2 for IJB-C, S1/S2 for IJB-B. */
  public Path[] galleries() {
    String[] g = target.equals(IJBB) ? new String[] {"S1", "S2"} : new String[] {"G1", "G2"};
    return new Path[] {meta("1N_gallery_" + g[0] + ".csv"), meta("1N_gallery_" + g[1] + ".csv")};
  }

  public Path probes() {
    return meta("1N_probe_mixed.csv");
  }

  /** Whether the 1:N lists are there (1:N is reported only then). */
  public boolean hasOneToN() {
    Path[] g = galleries();
    return Files.isRegularFile(g[0]) && Files.isRegularFile(g[1]) && Files.isRegularFile(probes());
  }
}
