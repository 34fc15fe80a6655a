package dev.facebeam.ijb;

import dev.facebeam.UserInputException;
import dev.facebeam.io.TextFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/** The 1:1 protocol, {@code <t>_template_pair_label.txt}: template pairs and their labels (1 = same subject), streamed. */
public record IjbPairs(int[] first, int[] second, byte[] label) {

  public int size() {
    return first.length;
  }

  public long genuine() {
    long g = 0;
    for (byte b : label) {
      g += b;
    }
    return g;
  }

  /** The three numbers of a well-formed line (label 0 or 1), or null for anything else (the caller says what). */
  static int[] fields(String line) {
    int[] out = new int[3];
    int i = 0;
    int n = line.length();
    for (int k = 0; k < 3; k++) {
      while (i < n && line.charAt(i) == ' ') {
        i++;
      }
      int start = i;
      long v = 0;
      while (i < n && line.charAt(i) >= '0' && line.charAt(i) <= '9' && i - start < 10) {
        v = v * 10 + (line.charAt(i) - '0');
        i++;
      }
      if (i == start || v > Integer.MAX_VALUE || (i < n && line.charAt(i) != ' ' && line.charAt(i) != '\r')) {
        return null;
      }
      out[k] = (int) v;
    }
    while (i < n && (line.charAt(i) == ' ' || line.charAt(i) == '\r')) {
      i++;
    }
    return i == n && out[2] <= 1 ? out : null;
  }

  public static IjbPairs read(Path file) {
    int[] a = new int[1 << 16];
    int[] b = new int[1 << 16];
    byte[] l = new byte[1 << 16];
    int n = 0;
    try (InputStream in = Files.newInputStream(file); TextFiles.Lines lines = new TextFiles.Lines(in, file.toString(), 1)) {
      long lineNo = 0;
      String line;
      while ((line = lines.next()) != null) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        // Three fields split by spaces, parsed by hand: the IJB-C list has 15.66 million lines.
        int[] f = fields(line);
        if (f == null) {
          String where = file + ":" + lineNo;
          String[] s = line.strip().split(" +");
          if (s.length != 3) {
            throw new UserInputException(where, "expected '<template id 1> <template id 2> <label>', got '" + line + "'");
          }
          if (!s[2].equals("0") && !s[2].equals("1")) {
            throw new UserInputException(where, "label '" + s[2] + "' is not 0 or 1");
          }
          IjbFaces.integer(s[0], where);
          IjbFaces.integer(s[1], where);
          throw new UserInputException(where, "cannot read '" + line + "'");
        }
        if (n == a.length) {
          a = Arrays.copyOf(a, n * 2);
          b = Arrays.copyOf(b, n * 2);
          l = Arrays.copyOf(l, n * 2);
        }
        a[n] = f[0];
        b[n] = f[1];
        l[n] = (byte) f[2];
        n++;
      }
    } catch (NoSuchFileException e) {
      throw new UserInputException(file.toString(), "no such file");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    if (n == 0) {
      throw new UserInputException(file.toString(), "no pairs");
    }
    return new IjbPairs(Arrays.copyOf(a, n), Arrays.copyOf(b, n), Arrays.copyOf(l, n));
  }
}
