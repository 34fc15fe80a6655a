package dev.facebeam.codec.image;

/** Encoded image formats recognised by their first bytes, not by file names. */
public enum ImageFormat {
  JPEG, PNG, PGM, BMP, UNKNOWN;

  public static ImageFormat sniff(byte[] b) {
    if (b.length >= 3 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xD8 && (b[2] & 0xFF) == 0xFF) {
      return JPEG;
    }
    if (b.length >= 8 && (b[0] & 0xFF) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
      return PNG;
    }
    if (b.length >= 2 && b[0] == 'P' && (b[1] == '5' || b[1] == '2')) {
      return PGM;
    }
    if (b.length >= 2 && b[0] == 'B' && b[1] == 'M') {
      return BMP;
    }
    return UNKNOWN;
  }

  public String id() {
    return name().toLowerCase();
  }
}
