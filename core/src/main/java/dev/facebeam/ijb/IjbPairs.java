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
        String where = file + ":" + lineNo;
        String[] f = line.strip().split(" +");
        if (f.length != 3) {
          throw new UserInputException(where, "expected '<template id 1> <template id 2> <label>', got '" + line + "'");
        }
        if (!f[2].equals("0") && !f[2].equals("1")) {
          throw new UserInputException(where, "label '" + f[2] + "' is not 0 or 1");
        }
        if (n == a.length) {
          a = Arrays.copyOf(a, n * 2);
          b = Arrays.copyOf(b, n * 2);
          l = Arrays.copyOf(l, n * 2);
        }
        a[n] = IjbFaces.integer(f[0], where);
        b[n] = IjbFaces.integer(f[1], where);
        l[n] = (byte) (f[2].charAt(0) - '0');
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
