package dev.facebeam.codec.pack;

import static org.junit.Assert.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class TextSliceTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  /** Slices cover every line once, blank ones included, with and without a final newline, across buffer edges. */
  @Test
  public void slicesReadBackEveryLineInOrder() throws Exception {
    for (boolean finalNewline : new boolean[] {true, false}) {
      StringBuilder text = new StringBuilder();
      List<String> want = new ArrayList<>();
      for (int i = 0; i < 30_000; i++) { // about 1 MB: many 64 KB buffers
        String line = i % 97 == 0 ? "" : "megaface/" + (i % 1000) + "/" + i + "@N00/" + i + "_0.jpg";
        want.add(line);
        text.append(line);
        if (i < 29_999 || finalNewline) {
          text.append('\n');
        }
      }
      Path list = tmp.newFile().toPath();
      Files.writeString(list, text, StandardCharsets.UTF_8);
      for (int per : new int[] {7, 4096, 100_000}) {
        List<TextSlice> slices = TextSlice.plan(list, per);
        assertEquals((30_000 + per - 1) / per, slices.size());
        List<String> got = new ArrayList<>();
        long next = 1;
        for (TextSlice s : slices) {
          assertEquals(next, s.firstLine());
          for (TextSlice.Line l : s.lines()) {
            assertEquals(next++, l.number());
            got.add(l.text());
          }
        }
        assertEquals("lines per slice " + per + ", final newline " + finalNewline, want, got);
      }
    }
  }
}
