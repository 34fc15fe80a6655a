package dev.facebeam.codec.recordio;

import dev.facebeam.UserInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * InsightFace's {@code property} file: {@code num_classes,H,W} on the first line; the shuffled
 * variant adds the image count, the word {@code shuffled} and a timestamp (docs/formats.md).
 */
public record RecordIoProperty(int numClasses, int height, int width, long imageCount, boolean shuffled) {

  public static RecordIoProperty read(Path file) {
    List<String> lines;
    try {
      if (Files.size(file) > 4096) {
        throw new UserInputException(file.toString(), "property file larger than 4 KiB: not an InsightFace property file");
      }
      lines = dev.facebeam.io.TextFiles.readLines(file);
    } catch (IOException e) {
      throw new UserInputException(file.toString(), "cannot read property file: " + e.getMessage(), e);
    }
    List<String> content = lines.stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
    if (content.isEmpty()) {
      throw new UserInputException(file.toString(), "empty property file (expected 'num_classes,H,W')");
    }
    String[] f = content.get(0).split(",");
    if (f.length != 3) {
      throw new UserInputException(file + ":1", "expected 'num_classes,H,W', got '" + content.get(0) + "'");
    }
    try {
      int classes = Integer.parseInt(f[0].strip());
      int h = Integer.parseInt(f[1].strip());
      int w = Integer.parseInt(f[2].strip());
      if (classes <= 0 || h <= 0 || w <= 0 || h > 10_000 || w > 10_000) {
        throw new UserInputException(file + ":1", "implausible property values '" + content.get(0) + "'");
      }
      boolean shuffled = content.size() >= 3 && content.get(2).equalsIgnoreCase("shuffled");
      long count = shuffled ? Long.parseLong(content.get(1)) : -1;
      return new RecordIoProperty(classes, h, w, count, shuffled);
    } catch (NumberFormatException e) {
      throw new UserInputException(file + ":1", "expected integers in '" + content.get(0) + "'");
    }
  }

  public String toLine() {
    return numClasses + "," + height + "," + width;
  }
}
