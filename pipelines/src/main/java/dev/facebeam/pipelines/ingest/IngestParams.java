package dev.facebeam.pipelines.ingest;

import java.nio.file.Path;

/**
 * What ingest reads and writes, as values: made once from {@link IngestOptions} at the command
 * line, or by {@code evaluate} and {@code run} for each target (every other setting at its default).
 */
public record IngestParams(String input, String output, String format, String exportImages, String imageRoot,
    int recordsPerShard) {
  public static final String FORMAT = "auto";
  public static final int RECORDS_PER_SHARD = 4000;

  public static IngestParams of(IngestOptions o) {
    return new IngestParams(o.getInput(), o.getOutput(), o.getFormat(), o.getExportImages(), o.getImageRoot(),
        o.getRecordsPerShard());
  }

  /** A pack of a known format into an output folder, nothing exported. */
  public static IngestParams of(Path input, String format, Path output) {
    return new IngestParams(input.toString(), output.toString(), format, null, null, RECORDS_PER_SHARD);
  }
}
