package dev.facebeam.pipelines.stage;

import dev.facebeam.io.StageOutput;

/**
 * The file names a stage output is made of (docs/outputs.md), named once: every stage writes them
 * and the stages after it, {@code run} and the results store read them by these names.
 */
public final class StageLayout {
  /** The committed output's manifest. */
  public static final String MANIFEST = StageOutput.MANIFEST;
  /** One JSON line per record that was read and not written, with the reason. */
  public static final String REJECTS = "rejects.jsonl";
  /** A verification pack's pairs, framed protobufs: ingest writes them, embed carries them on, verify reads them. */
  public static final String PAIRS = "pairs.pb";
  /** A scoring stage's numbers, read back by {@code run} and the results store. */
  public static final String REPORT_JSON = "report.json";
  /** A scoring stage's numbers for people. */
  public static final String REPORT_MD = "report.md";
  /** The collection sizes a pipeline counted, read and removed before the commit. */
  public static final String COUNTS = "_counts.txt";
  /**
   * The default of every {@code --format}: Beam keeps one default per option name across all
   * commands' options, so ingest's, pack's, export's and results' must be this same value.
   */
  public static final String AUTO_FORMAT = "auto";
  /**
   * The default of every {@code --far} (megaface's and all-pairs'), one for the same reason: the
   * FARs IFRT and MegaFace report at.
   */
  public static final String FAR_TARGETS = "1e-6,1e-5,1e-4";

  private StageLayout() {}
}
