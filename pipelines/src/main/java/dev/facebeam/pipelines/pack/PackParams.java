package dev.facebeam.pipelines.pack;

import java.nio.file.Path;

/** What pack reads and writes, as values, made once from {@link PackOptions} at the command line. */
public record PackParams(String input, String output, String format, String pairs, int protocol, String elements,
    boolean header, int quality, String imageRoot) {
  public static final String FORMAT = "auto";
  public static final int PROTOCOL = 4;
  public static final String ELEMENTS = "bytes";
  public static final int QUALITY = 95;

  public static PackParams of(PackOptions o) {
    return new PackParams(o.getInput(), o.getOutput(), o.getFormat(), o.getPairs(), o.getProtocol(), o.getElements(),
        o.getHeader(), o.getQuality(), o.getImageRoot());
  }

  /** A .bin of the pairs a list names, from a pack read in its own format, every other setting at its default. */
  public static PackParams of(Path input, Path output, Path pairs) {
    return new PackParams(input.toString(), output.toString(), FORMAT, pairs.toString(), PROTOCOL, ELEMENTS, true, QUALITY, null);
  }
}
