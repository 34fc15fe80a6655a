package dev.facebeam.codec.pack;

import java.util.ArrayList;
import java.util.List;

/**
 * One line of an image list, in either dialect (docs/alignment.md):
 * InsightFace's {@code aligned<TAB>path<TAB>label[<TAB>x1 y1 x2 y2[<TAB>x1..x5 y1..y5]]}, or
 * MXNet im2rec's {@code index<TAB>label...<TAB>path}. Landmarks in the first dialect are five x's
 * then five y's; they come back as five (x, y) points.
 */
public record LstLine(boolean aligned, String path, long label, double[] bbox, double[][] landmarks, long index) {

  public static LstLine parse(String text) {
    String[] tabs = text.strip().split("\t");
    if (tabs.length < 3) {
      throw new IllegalArgumentException("expected at least 3 tab-separated fields, got " + tabs.length);
    }
    if (!isNumber(tabs[1]) && isInteger(tabs[0])) {
      return insightFace(tabs);
    }
    if (isInteger(tabs[0]) && isNumber(tabs[1]) && !tabs[tabs.length - 1].isBlank()) {
      // im2rec: index, one or more labels, path last.
      long index = Long.parseLong(tabs[0].strip());
      double label = Double.parseDouble(tabs[1].strip());
      String bad = Labels.problem(label, 0, "");
      if (bad != null) {
        throw new IllegalArgumentException(bad);
      }
      return new LstLine(false, tabs[tabs.length - 1], (long) label, null, null, index);
    }
    throw new IllegalArgumentException("neither 'aligned<TAB>path<TAB>label' nor 'index<TAB>label<TAB>path'");
  }

  private static LstLine insightFace(String[] tabs) {
    int aligned = Integer.parseInt(tabs[0].strip());
    if (aligned != 0 && aligned != 1) {
      throw new IllegalArgumentException("aligned flag must be 0 or 1, got " + aligned);
    }
    String path = tabs[1];
    long label;
    try {
      label = Long.parseLong(tabs[2].strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("label '" + tabs[2] + "' is not an integer");
    }
    String bad = Labels.problem(label, 0, "");
    if (bad != null) {
      throw new IllegalArgumentException(bad);
    }
    List<Double> numbers = new ArrayList<>();
    for (int i = 3; i < tabs.length; i++) {
      for (String s : tabs[i].strip().split("\\s+")) {
        if (!s.isEmpty()) {
          try {
            numbers.add(Double.parseDouble(s));
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' in the bbox/landmark fields is not a number");
          }
        }
      }
    }
    for (double v : numbers) {
      if (!Double.isFinite(v)) {
        throw new IllegalArgumentException("bbox/landmark value " + v + " is not finite");
      }
    }
    double[] bbox = null;
    double[][] landmarks = null;
    if (numbers.size() == 4 || numbers.size() == 14) {
      bbox = new double[] {numbers.get(0), numbers.get(1), numbers.get(2), numbers.get(3)};
    }
    if (numbers.size() == 14) {
      landmarks = new double[5][2];
      for (int i = 0; i < 5; i++) {
        landmarks[i][0] = numbers.get(4 + i);
        landmarks[i][1] = numbers.get(9 + i);
      }
    } else if (numbers.size() != 0 && numbers.size() != 4) {
      throw new IllegalArgumentException(numbers.size() + " numbers after the label (expected 0, 4 for a bbox, or 14 for a bbox and 10 landmarks)");
    }
    return new LstLine(aligned == 1, path, label, bbox, landmarks, -1);
  }

  private static boolean isInteger(String s) {
    return s.strip().matches("-?\\d+");
  }

  private static boolean isNumber(String s) {
    try {
      Double.parseDouble(s.strip());
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
