package dev.facebeam.codec.image;

/**
 * What the JPEG decoder alone does not say but OpenCV acts on (docs/formats.md, "Images"): the
 * number of colour components and the stored size (SOF), the Adobe APP14 transform (0 = CMYK / RGB
 * as stored, 2 = YCCK) and the EXIF orientation (APP1). A scan of the markers before the first scan; a
 * malformed segment ends the scan, leaving the defaults.
 */
record JpegMarkers(int components, int width, int height, int adobeTransform, int orientation) {

  static JpegMarkers scan(byte[] d) {
    int components = 0;
    int width = 0;
    int height = 0;
    int adobe = -1;
    int orientation = 1;
    int i = 2; // after SOI
    while (i + 4 <= d.length) {
      if ((d[i] & 0xFF) != 0xFF) {
        break;
      }
      int marker = d[i + 1] & 0xFF;
      if (marker == 0xFF) {
        i++; // fill byte
        continue;
      }
      if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {
        i += 2;
        continue;
      }
      if (marker == 0xDA || marker == 0xD9) {
        break; // start of scan: no more headers
      }
      int len = ((d[i + 2] & 0xFF) << 8) | (d[i + 3] & 0xFF);
      int body = i + 4;
      int end = i + 2 + len;
      if (len < 2 || end > d.length) {
        break;
      }
      boolean sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
      if (sof && body + 6 <= end) {
        height = ((d[body + 1] & 0xFF) << 8) | (d[body + 2] & 0xFF);
        width = ((d[body + 3] & 0xFF) << 8) | (d[body + 4] & 0xFF);
        components = d[body + 5] & 0xFF;
      } else if (marker == 0xEE && end - body >= 12 && startsWith(d, body, "Adobe")) {
        adobe = d[body + 11] & 0xFF;
      } else if (marker == 0xE1 && orientation == 1 && end - body > 6 && startsWith(d, body, "Exif\0\0")) {
        orientation = ExifOrientation.fromTiff(d, body + 6, end);
      }
      i = end;
    }
    return new JpegMarkers(components, width, height, adobe, orientation);
  }

  private static boolean startsWith(byte[] d, int at, String s) {
    if (at + s.length() > d.length) {
      return false;
    }
    for (int k = 0; k < s.length(); k++) {
      if (d[at + k] != (byte) s.charAt(k)) {
        return false;
      }
    }
    return true;
  }
}
