package dev.facebeam.ijb;

import dev.facebeam.UserInputException;
import java.nio.file.Path;
import java.util.List;

/**
 * A 1:N gallery or probe list ({@code <t>_1N_gallery_G1.csv}, {@code _probe_mixed.csv}): a header,
 * then rows {@code TEMPLATE_ID,SUBJECT_ID,…}, one per image, so a template repeats.
 */
public record IjbCsv(int[] templates, int[] subjects) {

  public static IjbCsv read(Path file) {
    List<String> lines = IjbFaces.lines(file);
    if (lines.isEmpty()) {
      throw new UserInputException(file.toString(), "is empty (a header line, then TEMPLATE_ID,SUBJECT_ID,… rows)");
    }
    int n = lines.size() - 1;
    int[] t = new int[n];
    int[] s = new int[n];
    for (int i = 0; i < n; i++) {
      String where = file + ":" + (i + 2);
      String[] f = lines.get(i + 1).split(",");
      if (f.length < 2) {
        throw new UserInputException(where, "expected TEMPLATE_ID,SUBJECT_ID,…, got '" + lines.get(i + 1) + "'");
      }
      t[i] = IjbFaces.integer(f[0].strip(), where);
      s[i] = IjbFaces.integer(f[1].strip(), where);
    }
    return new IjbCsv(t, s);
  }

  /** Two lists one after the other (G1 then G2, as the 1:N script concatenates them). */
  public IjbCsv then(IjbCsv next) {
    int[] t = java.util.Arrays.copyOf(templates, templates.length + next.templates.length);
    int[] s = java.util.Arrays.copyOf(subjects, subjects.length + next.subjects.length);
    System.arraycopy(next.templates, 0, t, templates.length, next.templates.length);
    System.arraycopy(next.subjects, 0, s, subjects.length, next.subjects.length);
    return new IjbCsv(t, s);
  }
}
