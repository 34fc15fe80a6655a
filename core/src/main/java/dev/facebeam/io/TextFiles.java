package dev.facebeam.io;

import dev.facebeam.UserInputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Text inputs (lists, pairs, property and noise files) read as strict UTF-8, line by line: a byte
 * sequence that is not UTF-8 is an error naming the file and line ({@code list.txt:1234}), never a
 * silent replacement character that turns into a missing image later.
 */
public final class TextFiles {
  private TextFiles() {}

  /** Every line of {@code file}, without line ends ({@code \n} or {@code \r\n}). */
  public static List<String> readLines(Path file) throws IOException {
    List<String> out = new ArrayList<>();
    try (Lines lines = new Lines(Files.newInputStream(file), file.toString(), 1)) {
      String s;
      while ((s = lines.next()) != null) {
        out.add(s);
      }
    }
    return out;
  }

  /**
   * The lines of a list whose line i stands for item i (a label list, a megaface_lst): trailing blank
   * lines name nothing and are dropped; blank lines before the last item are kept, so no item shifts.
   */
  public static List<String> readListLines(Path file) throws IOException {
    List<String> out = readLines(file);
    while (!out.isEmpty() && out.get(out.size() - 1).isBlank()) {
      out.remove(out.size() - 1);
    }
    return out;
  }

  /** Reads lines one at a time from a stream positioned at line {@code firstLine} (for error messages). */
  public static final class Lines implements AutoCloseable {
    private final InputStream in;
    private final String source;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int end;
    private byte[] line = new byte[256];
    private long lineNo;

    public Lines(InputStream in, String source, long firstLine) {
      this.in = in;
      this.source = source;
      this.lineNo = firstLine - 1;
    }

    /** The next line, or null at the end. Scans a block buffer: lists run to millions of lines. */
    public String next() throws IOException {
      int n = 0;
      boolean any = false;
      while (true) {
        if (pos == end) {
          end = in.read(buf, 0, buf.length);
          pos = 0;
          if (end <= 0) {
            end = 0;
            if (!any) {
              return null;
            }
            break;
          }
        }
        any = true;
        int start = pos;
        while (pos < end && buf[pos] != '\n') {
          pos++;
        }
        int len = pos - start;
        if (n + len > line.length) {
          line = java.util.Arrays.copyOf(line, Math.max(line.length * 2, n + len));
        }
        System.arraycopy(buf, start, line, n, len);
        n += len;
        if (pos < end) {
          pos++; // the '\n'
          break;
        }
      }
      lineNo++;
      if (n > 0 && line[n - 1] == '\r') {
        n--;
      }
      boolean ascii = true;
      for (int i = 0; i < n && ascii; i++) {
        ascii = line[i] >= 0;
      }
      if (ascii) {
        return new String(line, 0, n, StandardCharsets.US_ASCII);
      }
      try {
        return utf8.reset().decode(ByteBuffer.wrap(line, 0, n)).toString();
      } catch (CharacterCodingException e) {
        throw new UserInputException(source + ":" + lineNo, "line is not UTF-8 text (" + badByte(line, n) + ")");
      }
    }

    /** Where the first byte that breaks UTF-8's lead/continuation pattern is. */
    private static String badByte(byte[] b, int n) {
      int i = 0;
      while (i < n) {
        int c = b[i] & 0xFF;
        int len = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
        if (len == 0) {
          return String.format("byte 0x%02X at column %d", c, i + 1);
        }
        for (int k = 1; k < len; k++) {
          if (i + k >= n || (b[i + k] & 0xC0) != 0x80) {
            return String.format("byte 0x%02X at column %d starts a sequence that is cut short", c, i + 1);
          }
        }
        i += len;
      }
      return "an overlong or surrogate UTF-8 sequence";
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
