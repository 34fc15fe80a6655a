package dev.facebeam.pipelines;

/** What pack reads and writes, as values, made once from {@link PackOptions} at the command line. */
public record PackParams(String input, String output, String format, String pairs, int protocol, String elements,
    boolean header, int quality, String imageRoot) {
  public static PackParams of(PackOptions o) {
    return new PackParams(o.getInput(), o.getOutput(), o.getFormat(), o.getPairs(), o.getProtocol(), o.getElements(),
        o.getHeader(), o.getQuality(), o.getImageRoot());
  }
}
