package dev.facebeam.codec.image;

/**
 * The JPEGs face packs hold — baseline, 8-bit, one interleaved scan, YCbCr 4:2:0, 4:2:2 or 4:4:4 (JFIF
 * or component ids 1, 2, 3), or grey — decoded to the very pixels the JDK's ImageIO gives (IJG libjpeg
 * 6b's defaults: the integer "islow" IDCT, fancy upsampling, its YCbCr tables and range limiting;
 * docs/formats.md, "Images"), without ImageIO's per-image readers, streams and rasters. Anything else,
 * and anything libjpeg would warn about or refuse (a bad Huffman code, data cut short, stray bytes
 * before a marker, a wrong restart marker, an ICC profile or an Adobe marker), returns null: ImageIO
 * then decides, and names the problem. One instance per thread: its planes are reused.
 */
final class BaselineJpeg {
  private static final int[] NATURAL_ORDER = new int[64 + 16];
  private static final int[] CR_R = new int[256];
  private static final int[] CB_B = new int[256];
  private static final int[] CR_G = new int[256];
  private static final int[] CB_G = new int[256];
  /** libjpeg's post-IDCT range limit, indexed by the descaled value & 1023 (wraps as libjpeg's table does). */
  private static final byte[] IDCT_LIMIT = new byte[1024];

  static {
    int[] zigzag = {0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
        35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63};
    System.arraycopy(zigzag, 0, NATURAL_ORDER, 0, 64);
    java.util.Arrays.fill(NATURAL_ORDER, 64, 80, 63); // libjpeg's guard: a run past the end lands on coefficient 63
    final int scale = 16;
    final int half = 1 << (scale - 1);
    for (int i = 0, x = -128; i < 256; i++, x++) {
      CR_R[i] = (fix(1.40200, scale) * x + half) >> scale;
      CB_B[i] = (fix(1.77200, scale) * x + half) >> scale;
      CR_G[i] = -fix(0.71414, scale) * x;
      CB_G[i] = -fix(0.34414, scale) * x + half;
    }
    for (int j = 0; j < 1024; j++) {
      IDCT_LIMIT[j] = (byte) (j < 128 ? j + 128 : j < 512 ? 255 : j < 896 ? 0 : j - 896);
    }
  }

  private static int fix(double x, int bits) {
    return (int) (x * (1L << bits) + 0.5);
  }

  // Parsed headers
  private final int[][] quant = new int[4][];
  private final Huffman[] dcTables = new Huffman[4];
  private final Huffman[] acTables = new Huffman[4];
  private int width;
  private int height;
  private int ncomp;
  private final int[] compId = new int[3];
  private final int[] h = new int[3];
  private final int[] v = new int[3];
  private final int[] tq = new int[3];
  private final int[] td = new int[3];
  private final int[] ta = new int[3];
  private int restartInterval;
  private boolean jfif;

  // Reused planes
  private byte[][] planes = new byte[3][];
  private final int[] planeStride = new int[3];
  private final short[] coef = new short[64];
  private final int[] work = new int[64];
  private byte[] upRow0 = new byte[0];
  private byte[] upRow1 = new byte[0];

  // Bit reader
  private byte[] d;
  private int pos;
  private long bits;
  private int nbits;
  private boolean hitMarker;
  private int markerAt; // index of the FF that ends the entropy-coded data, once met; -1 before
  private int zeros; // how many of the buffered bits are the zeros after it

  /** The RGB pixels, or null where ImageIO must decide. */
  RgbPixels decode(byte[] data, int maxSide, long maxPixels) {
    try {
      return decodeOrNull(data, maxSide, maxPixels, Pass.PIXELS) ? (ncomp == 1 ? grey() : colour()) : null;
    } catch (RuntimeException odd) {
      return null; // any surprise in a hostile file: ImageIO decides and names it
    } finally {
      d = null;
    }
  }

  /**
   * Width and height of a JPEG this decoder would decode without complaint, found by reading every
   * marker and every Huffman code as {@link #decode} does but computing no pixel (no IDCT, no colour);
   * null where only a decode can tell.
   */
  int[] verify(byte[] data, int maxSide, long maxPixels) {
    return size(data, maxSide, maxPixels, Pass.CHECK);
  }

  /**
   * Width and height of a JPEG of the kinds this decoder decodes, read from its headers up to the first
   * scan's: the JPEGs libjpeg-turbo may decode in its place, to the same pixels (its decode must then
   * also be free of warnings: LibjpegTurbo). Null for any other.
   */
  int[] frame(byte[] data, int maxSide, long maxPixels) {
    return size(data, maxSide, maxPixels, Pass.FRAME);
  }

  private int[] size(byte[] data, int maxSide, long maxPixels, Pass pass) {
    try {
      if (!decodeOrNull(data, maxSide, maxPixels, pass)) {
        return null;
      }
      int cw = (width * h[1] + h[0] - 1) / h[0];
      return ncomp == 3 && h[0] == 2 && cw <= 2 ? null : new int[] {width, height}; // colour() declines those
    } catch (RuntimeException odd) {
      return null;
    } finally {
      d = null;
    }
  }

  /** How far a call reads: the headers up to the first scan, every Huffman code too, or the pixels. */
  private enum Pass {
    FRAME, CHECK, PIXELS
  }

  /** Reads the file as far as {@code pass} asks, decoding each block into the planes for PIXELS; false where ImageIO must decide. */
  private boolean decodeOrNull(byte[] data, int maxSide, long maxPixels, Pass pass) {
    d = data;
    java.util.Arrays.fill(quant, null);
    java.util.Arrays.fill(dcTables, null);
    java.util.Arrays.fill(acTables, null);
    width = 0;
    ncomp = 0;
    restartInterval = 0;
    jfif = false;
    if (d.length < 4 || (d[0] & 0xFF) != 0xFF || (d[1] & 0xFF) != 0xD8) {
      return false;
    }
    int i = 2;
    while (true) {
      if (i + 4 > d.length || (d[i] & 0xFF) != 0xFF) {
        return false;
      }
      int marker = d[i + 1] & 0xFF;
      int len = u16(i + 2);
      int body = i + 4;
      int end = i + 2 + len;
      if (len < 2 || end > d.length) {
        return false;
      }
      switch (marker) {
        case 0xDB -> {
          if (!readDqt(body, end)) {
            return false;
          }
        }
        case 0xC4 -> {
          if (!readDht(body, end, pass != Pass.FRAME)) {
            return false;
          }
        }
        case 0xC0, 0xC1 -> {
          if (width != 0 || !readSof(body, end, maxSide, maxPixels)) {
            return false;
          }
        }
        case 0xDD -> {
          if (len != 4) {
            return false;
          }
          restartInterval = u16(body);
        }
        case 0xE0 -> {
          boolean isJfif = end - body >= 5 && d[body] == 'J' && d[body + 1] == 'F' && d[body + 2] == 'I' && d[body + 3] == 'F' && d[body + 4] == 0;
          if (isJfif && (end - body < 14 || d[body + 5] != 1)) {
            return false; // libjpeg warns about a JFIF major version other than 1; a short one is ImageIO's to judge
          }
          jfif |= isJfif;
        }
        case 0xE2, 0xEE -> {
          return false; // an ICC profile (ImageIO may convert colours) or Adobe's transform flag
        }
        case 0xDA -> {
          return width != 0 && scan(body, end, pass);
        }
        default -> {
          boolean app = marker >= 0xE1 && marker <= 0xEF;
          if (!app && marker != 0xFE) {
            return false; // progressive, lossless, arithmetic, DNL …: ImageIO's
          }
        }
      }
      i = end;
    }
  }

  private int u16(int at) {
    return ((d[at] & 0xFF) << 8) | (d[at + 1] & 0xFF);
  }

  private boolean readDqt(int at, int end) {
    while (at < end) {
      int pq = (d[at] & 0xFF) >> 4;
      int t = d[at] & 15;
      at++;
      if (t > 3 || pq > 1 || at + 64 * (pq + 1) > end) {
        return false;
      }
      int[] q = new int[64];
      for (int k = 0; k < 64; k++) {
        q[NATURAL_ORDER[k]] = pq == 0 ? d[at + k] & 0xFF : u16(at + 2 * k);
      }
      at += 64 * (pq + 1);
      quant[t] = q;
    }
    return at == end;
  }

  /** Reads Huffman tables; without {@code build}, only checks them (the headers pass needs no lookup tables). */
  private boolean readDht(int at, int end, boolean build) {
    while (at < end) {
      if (at + 17 > end) {
        return false;
      }
      int tc = (d[at] & 0xFF) >> 4;
      int th = d[at] & 15;
      if (tc > 1 || th > 3) {
        return false;
      }
      int[] counts = new int[17];
      int total = 0;
      for (int l = 1; l <= 16; l++) {
        counts[l] = d[at + l] & 0xFF;
        total += counts[l];
      }
      at += 17;
      if (total > 256 || at + total > end) {
        return false;
      }
      int[] values = new int[total];
      for (int k = 0; k < total; k++) {
        values[k] = d[at + k] & 0xFF;
        if (tc == 0 && values[k] > 15) {
          return false; // libjpeg calls a DC table with such a symbol bogus
        }
      }
      at += total;
      Huffman table = build ? Huffman.build(counts, values) : Huffman.fits(counts) ? Huffman.CHECKED : null;
      if (table == null) {
        return false;
      }
      (tc == 0 ? dcTables : acTables)[th] = table;
    }
    return at == end;
  }

  private boolean readSof(int at, int end, int maxSide, long maxPixels) {
    if (end - at < 6 || (d[at] & 0xFF) != 8) {
      return false;
    }
    height = u16(at + 1);
    width = u16(at + 3);
    ncomp = d[at + 5] & 0xFF;
    if (width <= 0 || height <= 0 || width > maxSide || height > maxSide || (long) width * height > maxPixels) {
      return false; // ImageIO's path refuses it with the limits named
    }
    if ((ncomp != 1 && ncomp != 3) || end - at != 6 + 3 * ncomp) {
      return false;
    }
    for (int c = 0; c < ncomp; c++) {
      compId[c] = d[at + 6 + 3 * c] & 0xFF;
      h[c] = (d[at + 7 + 3 * c] & 0xFF) >> 4;
      v[c] = d[at + 7 + 3 * c] & 15;
      tq[c] = d[at + 8 + 3 * c] & 0xFF;
      if (tq[c] > 3) {
        return false;
      }
    }
    if (ncomp == 1) {
      h[0] = 1; // one component: libjpeg decodes it block by block whatever factors it declares
      v[0] = 1;
      return true;
    }
    boolean chromaOne = h[1] == 1 && v[1] == 1 && h[2] == 1 && v[2] == 1;
    boolean lumaKnown = (h[0] == 1 && v[0] == 1) || (h[0] == 2 && v[0] == 1) || (h[0] == 2 && v[0] == 2);
    return chromaOne && lumaKnown;
  }

  private boolean scan(int at, int end, Pass pass) {
    if (ncomp == 3 && !jfif && !(compId[0] == 1 && compId[1] == 2 && compId[2] == 3)) {
      return false; // libjpeg might take it for RGB: ImageIO decides
    }
    int ns = d[at] & 0xFF;
    if (ns != ncomp || end - at != 1 + 2 * ns + 3) {
      return false; // a scan of fewer components: not one interleaved baseline scan
    }
    for (int k = 0; k < ns; k++) {
      int id = d[at + 1 + 2 * k] & 0xFF;
      if (id != compId[k]) {
        return false;
      }
      td[k] = (d[at + 2 + 2 * k] & 0xFF) >> 4;
      ta[k] = d[at + 2 + 2 * k] & 15;
      if (td[k] > 3 || ta[k] > 3 || dcTables[td[k]] == null || acTables[ta[k]] == null || quant[tq[k]] == null) {
        return false;
      }
    }
    int ss = d[at + 1 + 2 * ns] & 0xFF;
    int se = d[at + 2 + 2 * ns] & 0xFF;
    int ahal = d[at + 3 + 2 * ns] & 0xFF;
    if (ss != 0 || se != 63 || ahal != 0) {
      return false;
    }
    if (pass == Pass.FRAME) {
      return true;
    }
    boolean pixels = pass == Pass.PIXELS;
    int hmax = h[0];
    int vmax = v[0];
    int mcuW = 8 * hmax;
    int mcuH = 8 * vmax;
    int mcusX = (width + mcuW - 1) / mcuW;
    int mcusY = (height + mcuH - 1) / mcuH;
    for (int c = 0; c < ncomp; c++) {
      planeStride[c] = mcusX * 8 * h[c];
      int size = planeStride[c] * mcusY * 8 * v[c];
      if (planes[c] == null || planes[c].length < size) {
        planes[c] = new byte[size];
      }
    }
    pos = end;
    resetBits();
    int[] pred = new int[3];
    int total = mcusX * mcusY;
    int restarts = 0;
    for (int m = 0; m < total; m++) {
      if (restartInterval > 0 && m > 0 && m % restartInterval == 0) {
        if (!restart(restarts++)) {
          return false;
        }
        pred[0] = pred[1] = pred[2] = 0;
      }
      int mx = m % mcusX;
      int my = m / mcusX;
      for (int c = 0; c < ncomp; c++) {
        for (int by = 0; by < v[c]; by++) {
          for (int bx = 0; bx < h[c]; bx++) {
            if (!(pixels ? decodeBlock(c, pred) : skipBlock(c, pred))) {
              return false;
            }
            int x0 = (mx * h[c] + bx) * 8;
            int y0 = (my * v[c] + by) * 8;
            if (pixels && !idct(quant[tq[c]], planes[c], y0 * planeStride[c] + x0, planeStride[c])) {
              return false;
            }
          }
        }
      }
    }
    // libjpeg warns about whole bytes left before the next marker, and reads EOI next.
    return !hitMarker && atMarker(0xD9);
  }

  private void resetBits() {
    bits = 0;
    nbits = 0;
    zeros = 0;
    markerAt = -1;
    hitMarker = false;
  }

  /** After a restart interval: the padding bits of this byte only, then RSTn with n = count mod 8. */
  private boolean restart(int count) {
    int next = markerAfterData(0xD0 + (count & 7));
    if (hitMarker || next < 0) {
      return false;
    }
    pos = next;
    resetBits();
    return true;
  }

  /** Whether only the padding bits of the last byte read stand between the data and marker {@code code}. */
  private boolean atMarker(int code) {
    return markerAfterData(code) >= 0;
  }

  /**
   * Where the data after marker {@code code} begins, if that marker follows the bits decoded with no
   * whole byte left unread (libjpeg counts such bytes and warns); else -1.
   */
  private int markerAfterData(int code) {
    if (nbits - zeros >= 8) {
      return -1; // a whole byte of data buffered and never used
    }
    int q = markerAt >= 0 ? markerAt : pos;
    if (q >= d.length || (d[q] & 0xFF) != 0xFF) {
      return -1;
    }
    while (q + 1 < d.length && (d[q + 1] & 0xFF) == 0xFF) {
      q++;
    }
    return q + 1 < d.length && (d[q + 1] & 0xFF) == code ? q + 2 : -1;
  }

  /**
   * A block's DC difference, added to the component's predictor {@code pred[c]} (read alike by
   * {@link #decodeBlock} and {@link #skipBlock}); false where ImageIO must decide (a size above 11, a
   * sum beyond 16 bits).
   */
  private boolean decodeDc(int c, int[] pred) {
    if (nbits < 32) {
      fill();
    }
    long b = bits;
    int n = nbits;
    Huffman dcTable = dcTables[td[c]];
    int s = dcTable.look[(int) (b >>> (n - Huffman.LOOK)) & ((1 << Huffman.LOOK) - 1)];
    if (s != 0) {
      n -= s >> 8;
      s &= 0xFF;
    } else {
      s = dcTable.decodeLong(this);
      n = nbits;
      b = bits;
    }
    if (s < 0 || s > 11) {
      return false;
    }
    int diff = 0;
    if (s != 0) {
      n -= s;
      diff = extend((int) (b >>> n) & ((1 << s) - 1), s);
    }
    nbits = n;
    int dc = pred[c] + diff;
    if (dc < Short.MIN_VALUE || dc > Short.MAX_VALUE) {
      return false;
    }
    pred[c] = dc;
    return true;
  }

  /**
   * One block's coefficients. The bit buffer lives in locals here (written back before a refill or a
   * long code): one refill check per coefficient covers its code (≤ 16 bits) and its value (≤ 11).
   */
  private boolean decodeBlock(int c, int[] pred) {
    short[] co = coef;
    java.util.Arrays.fill(co, (short) 0);
    if (!decodeDc(c, pred)) {
      return false;
    }
    co[0] = (short) pred[c];
    long b = bits;
    int n = nbits;
    Huffman ac = acTables[ta[c]];
    short[] look = ac.look;
    for (int k = 1; k < 64; k++) {
      if (n < 32) {
        nbits = n;
        fill();
        n = nbits;
        b = bits;
      }
      int rs = look[(int) (b >>> (n - Huffman.LOOK)) & ((1 << Huffman.LOOK) - 1)];
      if (rs != 0) {
        n -= rs >> 8;
        rs &= 0xFF;
      } else {
        nbits = n;
        rs = ac.decodeLong(this);
        n = nbits;
        b = bits;
        if (rs < 0) {
          return false;
        }
      }
      int r = rs >> 4;
      int size = rs & 15;
      if (size == 0) {
        if (r != 15) {
          break; // end of block
        }
        k += 15;
        continue;
      }
      if (size > 10) {
        return false;
      }
      k += r;
      n -= size;
      co[NATURAL_ORDER[k]] = (short) extend((int) (b >>> n) & ((1 << size) - 1), size);
    }
    return blockEnd(n);
  }

  /**
   * One block read as {@link #decodeBlock} reads it, the AC values skipped unread: one lookup gives a
   * short code's length plus its value's bits and how far it moves along the block.
   */
  private boolean skipBlock(int c, int[] pred) {
    if (!decodeDc(c, pred)) {
      return false;
    }
    long b = bits;
    int n = nbits;
    Huffman ac = acTables[ta[c]];
    short[] skip = ac.skip;
    int k = 1;
    while (k < 64) {
      if (n < 32) {
        nbits = n;
        fill();
        n = nbits;
        b = bits;
      }
      int e = skip[(int) (b >>> (n - Huffman.LOOK)) & ((1 << Huffman.LOOK) - 1)];
      if (e != 0) {
        n -= e >> 8;
        k += e & 0xFF;
        continue;
      }
      if (ac.look[(int) (b >>> (n - Huffman.LOOK)) & ((1 << Huffman.LOOK) - 1)] != 0) {
        return false; // a short code whose value size no baseline file has: decodeBlock refuses it too
      }
      nbits = n;
      int rs = ac.decodeLong(this);
      n = nbits;
      b = bits;
      if (rs < 0) {
        return false;
      }
      int size = rs & 15;
      if (size == 0) {
        if ((rs >> 4) != 15) {
          break;
        }
        k += 16;
        continue;
      }
      if (size > 10) {
        return false;
      }
      n -= size;
      k += (rs >> 4) + 1;
    }
    return blockEnd(n);
  }

  /** After a block: the bit count written back; false when a bit that is not in the file was used. */
  private boolean blockEnd(int n) {
    nbits = n;
    if (n < zeros) {
      hitMarker = true;
    }
    return !hitMarker;
  }

  private static int extend(int x, int s) {
    return x < (1 << (s - 1)) ? x + (-1 << s) + 1 : x;
  }

  /**
   * Buffers at least 49 bits. At a marker (or the end of the data) the entropy-coded data ends:
   * zeros stand in for any bits wanted past it, as libjpeg supplies them — and using one is the
   * condition libjpeg warns about ("premature end of data segment").
   */
  void fill() {
    while (nbits <= 48) {
      int b = 0;
      if (markerAt < 0) {
        if (pos >= d.length) {
          markerAt = d.length;
        } else if ((d[pos] & 0xFF) != 0xFF) {
          b = d[pos++] & 0xFF;
        } else {
          int q = pos + 1;
          while (q < d.length && (d[q] & 0xFF) == 0xFF) {
            q++; // fill bytes
          }
          if (q < d.length && d[q] == 0) {
            b = 0xFF; // a stuffed zero: the data byte FF
            pos = q + 1;
          } else {
            markerAt = pos;
          }
        }
      }
      if (markerAt >= 0) {
        zeros += 8;
      }
      bits = (bits << 8) | b;
      nbits += 8;
    }
  }

  int peek16() {
    if (nbits < 16) {
      fill();
    }
    return (int) ((bits >>> (nbits - 16)) & 0xFFFF);
  }

  void skip(int n) {
    nbits -= n;
    if (nbits < zeros) {
      hitMarker = true; // a bit that is not in the file was used
    }
  }

  /**
   * libjpeg's jpeg_idct_islow for one block, into 8 rows of {@code out} from {@code at}. Its INT32 is a
   * C long, 64 bits here: the intermediates are longs and the workspace ints, as there — what a
   * damaged file's huge coefficients give depends on it (BaselineJpegTest).
   */
  private boolean idct(int[] q, byte[] out, int at, int stride) {
    int lo = 0;
    int hi = 0;
    int[] ws = work;
    short[] in = coef;
    for (int c = 0; c < 8; c++) {
      if (in[8 + c] == 0 && in[16 + c] == 0 && in[24 + c] == 0 && in[32 + c] == 0 && in[40 + c] == 0 && in[48 + c] == 0
          && in[56 + c] == 0) {
        int dc = (in[c] * q[c]) << 2;
        for (int r = 0; r < 8; r++) {
          ws[8 * r + c] = dc;
        }
        continue;
      }
      long z2 = in[16 + c] * q[16 + c];
      long z3 = in[48 + c] * q[48 + c];
      long z1 = (z2 + z3) * 4433;
      long tmp2 = z1 + z3 * -15137;
      long tmp3 = z1 + z2 * 6270;
      z2 = in[c] * q[c];
      z3 = in[32 + c] * q[32 + c];
      long tmp0 = (z2 + z3) << 13;
      long tmp1 = (z2 - z3) << 13;
      long tmp10 = tmp0 + tmp3;
      long tmp13 = tmp0 - tmp3;
      long tmp11 = tmp1 + tmp2;
      long tmp12 = tmp1 - tmp2;
      tmp0 = in[56 + c] * q[56 + c];
      tmp1 = in[40 + c] * q[40 + c];
      tmp2 = in[24 + c] * q[24 + c];
      tmp3 = in[8 + c] * q[8 + c];
      z1 = tmp0 + tmp3;
      z2 = tmp1 + tmp2;
      z3 = tmp0 + tmp2;
      long z4 = tmp1 + tmp3;
      long z5 = (z3 + z4) * 9633;
      tmp0 *= 2446;
      tmp1 *= 16819;
      tmp2 *= 25172;
      tmp3 *= 12299;
      z1 *= -7373;
      z2 *= -20995;
      z3 *= -16069;
      z4 *= -3196;
      z3 += z5;
      z4 += z5;
      tmp0 += z1 + z3;
      tmp1 += z2 + z4;
      tmp2 += z2 + z3;
      tmp3 += z1 + z4;
      ws[c] = (int) ((tmp10 + tmp3 + (1 << 10)) >> 11);
      ws[56 + c] = (int) ((tmp10 - tmp3 + (1 << 10)) >> 11);
      ws[8 + c] = (int) ((tmp11 + tmp2 + (1 << 10)) >> 11);
      ws[48 + c] = (int) ((tmp11 - tmp2 + (1 << 10)) >> 11);
      ws[16 + c] = (int) ((tmp12 + tmp1 + (1 << 10)) >> 11);
      ws[40 + c] = (int) ((tmp12 - tmp1 + (1 << 10)) >> 11);
      ws[24 + c] = (int) ((tmp13 + tmp0 + (1 << 10)) >> 11);
      ws[32 + c] = (int) ((tmp13 - tmp0 + (1 << 10)) >> 11);
    }
    for (int r = 0; r < 8; r++) {
      int w = 8 * r;
      int o = at + r * stride;
      if (ws[w + 1] == 0 && ws[w + 2] == 0 && ws[w + 3] == 0 && ws[w + 4] == 0 && ws[w + 5] == 0 && ws[w + 6] == 0 && ws[w + 7] == 0) {
        int v = (int) (((long) ws[w] + (1 << 4)) >> 5);
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
        byte dc = IDCT_LIMIT[v & 1023];
        for (int k = 0; k < 8; k++) {
          out[o + k] = dc;
        }
        continue;
      }
      long z2 = ws[w + 2];
      long z3 = ws[w + 6];
      long z1 = (z2 + z3) * 4433;
      long tmp2 = z1 + z3 * -15137;
      long tmp3 = z1 + z2 * 6270;
      long tmp0 = ((long) ws[w] + ws[w + 4]) << 13;
      long tmp1 = ((long) ws[w] - ws[w + 4]) << 13;
      long tmp10 = tmp0 + tmp3;
      long tmp13 = tmp0 - tmp3;
      long tmp11 = tmp1 + tmp2;
      long tmp12 = tmp1 - tmp2;
      tmp0 = ws[w + 7];
      tmp1 = ws[w + 5];
      tmp2 = ws[w + 3];
      tmp3 = ws[w + 1];
      z1 = tmp0 + tmp3;
      z2 = tmp1 + tmp2;
      z3 = tmp0 + tmp2;
      long z4 = tmp1 + tmp3;
      long z5 = (z3 + z4) * 9633;
      tmp0 *= 2446;
      tmp1 *= 16819;
      tmp2 *= 25172;
      tmp3 *= 12299;
      z1 *= -7373;
      z2 *= -20995;
      z3 *= -16069;
      z4 *= -3196;
      z3 += z5;
      z4 += z5;
      tmp0 += z1 + z3;
      tmp1 += z2 + z4;
      tmp2 += z2 + z3;
      tmp3 += z1 + z4;
      final long round = 1L << 17;
      int v0 = (int) ((tmp10 + tmp3 + round) >> 18);
      out[o] = IDCT_LIMIT[v0 & 1023];
      int v7 = (int) ((tmp10 - tmp3 + round) >> 18);
      out[o + 7] = IDCT_LIMIT[v7 & 1023];
      int v1 = (int) ((tmp11 + tmp2 + round) >> 18);
      out[o + 1] = IDCT_LIMIT[v1 & 1023];
      int v6 = (int) ((tmp11 - tmp2 + round) >> 18);
      out[o + 6] = IDCT_LIMIT[v6 & 1023];
      int v2 = (int) ((tmp12 + tmp1 + round) >> 18);
      out[o + 2] = IDCT_LIMIT[v2 & 1023];
      int v5 = (int) ((tmp12 - tmp1 + round) >> 18);
      out[o + 5] = IDCT_LIMIT[v5 & 1023];
      int v3 = (int) ((tmp13 + tmp0 + round) >> 18);
      out[o + 3] = IDCT_LIMIT[v3 & 1023];
      int v4 = (int) ((tmp13 - tmp0 + round) >> 18);
      out[o + 4] = IDCT_LIMIT[v4 & 1023];
      lo = Math.min(lo, Math.min(Math.min(Math.min(v0, v1), Math.min(v2, v3)), Math.min(Math.min(v4, v5), Math.min(v6, v7))));
      hi = Math.max(hi, Math.max(Math.max(Math.max(v0, v1), Math.max(v2, v3)), Math.max(Math.max(v4, v5), Math.max(v6, v7))));
    }
    // Within ±384 of the centre libjpeg's table saturates, as every decoder does; beyond it the JDK's
    // ImageIO and libjpeg-turbo saturate where 6b's table would wrap (seen on a damaged file): ImageIO decides.
    return lo >= -384 && hi <= 383;
  }

  private RgbPixels grey() {
    byte[] rgb = new byte[width * height * 3];
    byte[] y = planes[0];
    for (int r = 0; r < height; r++) {
      int in = r * planeStride[0];
      int o = r * width * 3;
      for (int x = 0; x < width; x++) {
        byte g = y[in + x];
        rgb[o++] = g;
        rgb[o++] = g;
        rgb[o++] = g;
      }
    }
    return new RgbPixels(width, height, rgb);
  }

  /** Chroma upsampled as libjpeg's fancy upsampling does (jdsample.c), then its YCbCr → RGB. */
  private RgbPixels colour() {
    int cw = (width * h[1] + h[0] - 1) / h[0]; // libjpeg's downsampled_width / height
    int ch = (height * v[1] + v[0] - 1) / v[0];
    if (h[0] == 2 && cw <= 2) {
      return null; // libjpeg switches to plain replication for such narrow chroma
    }
    int upW = cw * h[0];
    if (upRow0.length < upW) {
      upRow0 = new byte[upW];
      upRow1 = new byte[upW];
    }
    byte[] rgb = new byte[width * height * 3];
    byte[] luma = planes[0];
    byte[] cbRow = upRow0;
    byte[] crRow = upRow1;
    int[] crR = CR_R;
    int[] cbB = CB_B;
    int[] cbG = CB_G;
    int[] crG = CR_G;
    for (int r = 0; r < height; r++) {
      upsampleRow(planes[1], cw, ch, r, cbRow);
      upsampleRow(planes[2], cw, ch, r, crRow);
      int yi = r * planeStride[0];
      int o = r * width * 3;
      for (int x = 0; x < width; x++, o += 3) {
        int y = luma[yi + x] & 0xFF;
        int cb = cbRow[x] & 0xFF;
        int cr = crRow[x] & 0xFF;
        rgb[o] = clamp(y + crR[cr]);
        rgb[o + 1] = clamp(y + ((cbG[cb] + crG[cr]) >> 16));
        rgb[o + 2] = clamp(y + cbB[cb]);
      }
    }
    return new RgbPixels(width, height, rgb);
  }

  private static byte clamp(int x) {
    return (byte) (x < 0 ? 0 : Math.min(x, 255));
  }

  /** One output row of a chroma plane of {@code cw} × {@code ch} (stride planeStride[1]), upsampled to the luma grid. */
  private void upsampleRow(byte[] p, int cw, int ch, int outRow, byte[] out) {
    int stride = planeStride[1];
    if (v[0] == 1) {
      int in = outRow * stride;
      if (h[0] == 1) {
        System.arraycopy(p, in, out, 0, cw);
        return;
      }
      // h2v1_fancy_upsample
      int inv = p[in] & 0xFF;
      out[0] = (byte) inv;
      out[1] = (byte) ((inv * 3 + (p[in + 1] & 0xFF) + 2) >> 2);
      int o = 2;
      for (int c = 1; c < cw - 1; c++) {
        inv = (p[in + c] & 0xFF) * 3;
        out[o++] = (byte) ((inv + (p[in + c - 1] & 0xFF) + 1) >> 2);
        out[o++] = (byte) ((inv + (p[in + c + 1] & 0xFF) + 2) >> 2);
      }
      inv = p[in + cw - 1] & 0xFF;
      out[o++] = (byte) ((inv * 3 + (p[in + cw - 2] & 0xFF) + 1) >> 2);
      out[o] = (byte) inv;
      return;
    }
    // h2v2_fancy_upsample: the nearer chroma row weighs 3, the other 1; rows past the edges repeat the edge row.
    int row = outRow >> 1;
    int other = (outRow & 1) == 0 ? Math.max(0, row - 1) : Math.min(ch - 1, row + 1);
    int i0 = row * stride;
    int i1 = other * stride;
    int thiscol = (p[i0] & 0xFF) * 3 + (p[i1] & 0xFF);
    int nextcol = (p[i0 + 1] & 0xFF) * 3 + (p[i1 + 1] & 0xFF);
    out[0] = (byte) ((thiscol * 4 + 8) >> 4);
    out[1] = (byte) ((thiscol * 3 + nextcol + 7) >> 4);
    int lastcol = thiscol;
    thiscol = nextcol;
    int o = 2;
    for (int c = 2; c < cw; c++) {
      nextcol = (p[i0 + c] & 0xFF) * 3 + (p[i1 + c] & 0xFF);
      out[o++] = (byte) ((thiscol * 3 + lastcol + 8) >> 4);
      out[o++] = (byte) ((thiscol * 3 + nextcol + 7) >> 4);
      lastcol = thiscol;
      thiscol = nextcol;
    }
    out[o++] = (byte) ((thiscol * 3 + lastcol + 8) >> 4);
    out[o] = (byte) ((thiscol * 4 + 7) >> 4);
  }

  /** A decoding table: a 9-bit lookup for short codes, libjpeg's canonical search for longer ones. */
  static final class Huffman {
    static final int LOOK = 9;
    final short[] look = new short[1 << LOOK]; // (length << 8) | value; 0: longer than LOOK
    // For an AC table read without its values: (code length + value bits) << 8 | how far k moves
    // (16 for ZRL, 64 for end of block); 0 for a long code or a value size no baseline file has.
    final short[] skip = new short[1 << LOOK];
    private final int[] maxcode = new int[18];
    private final int[] valptr = new int[17];
    private final int[] mincode = new int[17];
    private final int[] values;

    private Huffman(int[] values) {
      this.values = values;
    }

    /** Null where libjpeg would call the table bogus. */
    /** Stands for a table that was read and fits, where no lookup is needed. */
    static final Huffman CHECKED = new Huffman(new int[0]);

    /** Whether codes of these lengths fit (libjpeg refuses a table with more codes than l bits hold). */
    static boolean fits(int[] counts) {
      int code = 0;
      for (int l = 1; l <= 16; l++) {
        code += counts[l];
        if (code > (1 << l)) {
          return false;
        }
        code <<= 1;
      }
      return true;
    }

    static Huffman build(int[] counts, int[] values) {
      Huffman t = new Huffman(values);
      int code = 0;
      int p = 0;
      for (int l = 1; l <= 16; l++) {
        t.valptr[l] = p;
        t.mincode[l] = code;
        for (int k = 0; k < counts[l]; k++) {
          if (l <= LOOK) {
            int shift = LOOK - l;
            for (int f = 0; f < (1 << shift); f++) {
              t.look[(code << shift) | f] = (short) ((l << 8) | values[p]);
              t.skip[(code << shift) | f] = skipEntry(l, values[p]);
            }
          }
          p++;
          code++;
        }
        if (code > (1 << l)) {
          return null; // more codes than fit in l bits
        }
        t.maxcode[l] = counts[l] > 0 ? code - 1 : -1;
        code <<= 1;
      }
      t.maxcode[17] = Integer.MAX_VALUE;
      return t;
    }

    private static short skipEntry(int length, int rs) {
      int size = rs & 15;
      int run = rs >> 4;
      if (size == 0) {
        return (short) ((length << 8) | (run == 15 ? 16 : 64));
      }
      return size > 10 ? 0 : (short) (((length + size) << 8) | (run + 1));
    }

    /** The next symbol, its code longer than LOOK bits; -1 for a code no table holds (libjpeg warns: "bad Huffman code"). */
    int decodeLong(BaselineJpeg in) {
      int peek = in.peek16();
      for (int l = LOOK + 1; l <= 16; l++) {
        int code = peek >>> (16 - l);
        if (maxcode[l] >= 0 && code <= maxcode[l]) {
          in.skip(l);
          return values[valptr[l] + code - mincode[l]];
        }
      }
      return -1;
    }
  }
}
