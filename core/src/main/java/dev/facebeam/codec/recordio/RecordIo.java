package dev.facebeam.codec.recordio;

/** Constants of dmlc-core's RecordIO framing (docs/formats.md). */
public final class RecordIo {
  /** Little-endian on disk: bytes 0A 23 D7 CE. */
  public static final int MAGIC = 0xCED7230A;
  /** Lengths have 29 bits. */
  public static final int MAX_PART_LENGTH = (1 << 29) - 1;
  public static final int HEADER_BYTES = 8;

  public static final int CFLAG_FULL = 0;
  public static final int CFLAG_START = 1;
  public static final int CFLAG_MIDDLE = 2;
  public static final int CFLAG_END = 3;

  private RecordIo() {}

  static int padded(int length) {
    return ((length + 3) >>> 2) << 2;
  }

  static int lrec(int cflag, int length) {
    return (cflag << 29) | length;
  }

  static int cflag(int lrec) {
    return (lrec >>> 29) & 7;
  }

  static int length(int lrec) {
    return lrec & MAX_PART_LENGTH;
  }
}
