package dev.facebeam.codec.export;

import dev.facebeam.UserInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A 2-D NumPy {@code .npy} matrix of float32 or float64 (either byte order) in C order, as
 * {@code numpy.save} writes features: the header is parsed as text, never evaluated, and checked
 * against the file's size; rows are read by position, so a worker reads only its own rows of a
 * 10^6 × 512 matrix.
 */
public final class NpyMatrix {
  private static final int MAX_HEADER = 1 << 16;
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([<>|=])f([48])'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(\\s*(\\d{1,12})\\s*,\\s*(\\d{1,9})\\s*\\)");
  /** A 1-D array, (n,): read as n rows of one column (pair scores). */
  private static final Pattern VECTOR = Pattern.compile("'shape'\\s*:\\s*\\(\\s*(\\d{1,12})\\s*,\\s*\\)");

  private final Path file;
  private final long rows;
  private final int cols;
  private final int itemSize;
  private final ByteOrder order;
  private final long dataOffset;

  private NpyMatrix(Path file, long rows, int cols, int itemSize, ByteOrder order, long dataOffset) {
    this.file = file;
    this.rows = rows;
    this.cols = cols;
    this.itemSize = itemSize;
    this.order = order;
    this.dataOffset = dataOffset;
  }

  /** Reads and checks the header; every problem is a {@link UserInputException} naming the file. */
  public static NpyMatrix open(Path file) {
    return open(file, false);
  }

  /** A 1-D float array, (n,), as n rows of one column: pair scores, not features. */
  public static NpyMatrix openVector(Path file) {
    return open(file, true);
  }

  private static NpyMatrix open(Path file, boolean oneDimension) {
    String where = file.toString();
    if (!java.nio.file.Files.isRegularFile(file)) {
      throw new UserInputException(where, "no such file");
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
      while (pre.hasRemaining() && ch.read(pre, pre.position()) > 0) {
        // a file shorter than the prefix leaves it part-filled; the checks below say so
      }
      pre.flip();
      if (pre.remaining() < 6 || (pre.get(0) & 0xff) != 0x93
          || !"NUMPY".equals(new String(pre.array(), 1, 5, StandardCharsets.US_ASCII))) {
        throw new UserInputException(where, "not a .npy file (no \\x93NUMPY magic)");
      }
      if (pre.remaining() < 10) {
        throw new UserInputException(where, "truncated .npy header");
      }
      int major = pre.get(6);
      long headerLen;
      long headerStart;
      if (major == 1) {
        headerLen = pre.getShort(8) & 0xffff;
        headerStart = 10;
      } else if (major == 2 || major == 3) {
        if (pre.remaining() < 12) {
          throw new UserInputException(where, "truncated .npy header");
        }
        headerLen = pre.getInt(8) & 0xffffffffL;
        headerStart = 12;
      } else {
        throw new UserInputException(where, ".npy format version " + major + " is not known");
      }
      if (headerLen > MAX_HEADER || headerStart + headerLen > size) {
        throw new UserInputException(where, ".npy header of " + headerLen + " bytes does not fit the file");
      }
      ByteBuffer h = ByteBuffer.allocate((int) headerLen);
      readFully(ch, h, headerStart);
      String header = new String(h.array(), 0, h.position(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
      Matcher descr = DESCR.matcher(header);
      if (!descr.find()) {
        throw new UserInputException(where, "features must be float32 or float64, header says " + header.strip());
      }
      Matcher fortran = FORTRAN.matcher(header);
      if (!fortran.find()) {
        throw new UserInputException(where, ".npy header without fortran_order: " + header.strip());
      }
      if (fortran.group(1).equals("True")) {
        throw new UserInputException(where, "Fortran-ordered matrix: save it with numpy.ascontiguousarray first");
      }
      Matcher shape = SHAPE.matcher(header);
      Matcher vector = VECTOR.matcher(header);
      long rows;
      int cols;
      if (!oneDimension && shape.find()) {
        rows = Long.parseLong(shape.group(1));
        cols = Integer.parseInt(shape.group(2));
      } else if (oneDimension && vector.find()) {
        rows = Long.parseLong(vector.group(1));
        cols = 1;
      } else {
        throw new UserInputException(where, (oneDimension ? "scores must be a 1-D array (n,)" : "features must be a 2-D matrix"
            + " (rows, dimension)") + ", header says " + header.strip());
      }
      int item = descr.group(2).equals("4") ? 4 : 8;
      ByteOrder order = descr.group(1).equals(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
      long offset = headerStart + headerLen;
      if (cols < 1) {
        throw new UserInputException(where, "feature dimension 0");
      }
      long expected = offset + rows * cols * item; // rows < 10^12 and cols < 10^9 keep this far from overflow
      if (size != expected) {
        throw new UserInputException(where, "file holds " + size + " bytes but shape (" + rows + ", " + cols + ") of " + item
            + "-byte floats needs " + expected + (size < expected ? " (truncated)" : ""));
      }
      return new NpyMatrix(file, rows, cols, item, order, offset);
    } catch (IOException e) {
      throw new UserInputException(where, "cannot read: " + e.getMessage(), e);
    }
  }

  public long rows() {
    return rows;
  }

  public int cols() {
    return cols;
  }

  /** Rows [from, from + n) into {@code dst} (n × cols floats, row-major, starting at dstOffset). */
  public void readRows(long from, int n, float[] dst, int dstOffset) {
    if (from < 0 || n < 0 || from + n > rows) {
      throw new IndexOutOfBoundsException("rows " + from + "+" + n + " of " + rows);
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      int rowBytes = cols * itemSize;
      int perRead = Math.max(1, (1 << 22) / rowBytes);
      ByteBuffer buf = ByteBuffer.allocate(Math.min(n, perRead) * rowBytes).order(order);
      int done = 0;
      while (done < n) {
        int k = Math.min(perRead, n - done);
        buf.clear().limit(k * rowBytes);
        readFully(ch, buf, dataOffset + (from + done) * rowBytes);
        buf.flip();
        int base = dstOffset + done * cols;
        if (itemSize == 4) {
          buf.asFloatBuffer().get(dst, base, k * cols);
        } else {
          var dbl = buf.asDoubleBuffer();
          for (int i = 0; i < k * cols; i++) {
            dst[base + i] = (float) dbl.get(i);
          }
        }
        done += k;
      }
    } catch (IOException e) {
      throw new UserInputException(file.toString(), "cannot read rows " + from + "+" + n + ": " + e.getMessage(), e);
    }
  }

  /** A pass over the rows in order with one buffer: a 1.9 GB matrix read row by row leaves no garbage. */
  public RowReader rowReader() {
    try {
      return new RowReader(FileChannel.open(file, StandardOpenOption.READ));
    } catch (IOException e) {
      throw new UserInputException(file.toString(), "cannot read: " + e.getMessage(), e);
    }
  }

  /** Rows in order, a block of them per read into one buffer. */
  public final class RowReader implements AutoCloseable {
    private final FileChannel ch;
    private final ByteBuffer buf;
    private long next;

    private RowReader(FileChannel ch) {
      this.ch = ch;
      this.buf = ByteBuffer.allocate(Math.max(1, (1 << 22) / (cols * itemSize)) * cols * itemSize).order(order);
      buf.limit(0);
    }

    /** The next row into {@code dst} (cols floats); false after the last. */
    public boolean next(float[] dst) {
      if (next == rows) {
        return false;
      }
      try {
        if (!buf.hasRemaining()) {
          long left = (rows - next) * cols * itemSize;
          buf.clear().limit((int) Math.min(buf.capacity(), left));
          readFully(ch, buf, dataOffset + next * cols * itemSize);
          buf.flip();
        }
      } catch (IOException e) {
        throw new UserInputException(file.toString(), "cannot read row " + next + ": " + e.getMessage(), e);
      }
      for (int i = 0; i < cols; i++) {
        dst[i] = itemSize == 4 ? buf.getFloat() : (float) buf.getDouble();
      }
      next++;
      return true;
    }

    @Override
    public void close() {
      try {
        ch.close();
      } catch (IOException e) {
        // read-only: nothing is lost
      }
    }
  }

  /** Every value, in order, at full precision (a float64 file stays float64). */
  public double[] readAllDoubles() {
    long count = rows * cols;
    if (count > Integer.MAX_VALUE - 8) {
      throw new UserInputException(file.toString(), "holds " + count + " values: too many to read at once");
    }
    double[] out = new double[(int) count];
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer buf = ByteBuffer.allocate((int) Math.min(count * itemSize, 1 << 22) / itemSize * itemSize).order(order);
      int done = 0;
      while (done < out.length) {
        int k = Math.min(buf.capacity() / itemSize, out.length - done);
        buf.clear().limit(k * itemSize);
        readFully(ch, buf, dataOffset + (long) done * itemSize);
        buf.flip();
        for (int i = 0; i < k; i++) {
          out[done + i] = itemSize == 4 ? buf.getFloat() : buf.getDouble();
        }
        done += k;
      }
    } catch (IOException e) {
      throw new UserInputException(file.toString(), "cannot read: " + e.getMessage(), e);
    }
    return out;
  }

  private static void readFully(FileChannel ch, ByteBuffer b, long position) throws IOException {
    long pos = position;
    while (b.hasRemaining()) {
      int r = ch.read(b, pos);
      if (r < 0) {
        throw new IOException("unexpected end of file at byte " + pos);
      }
      pos += r;
    }
  }
}
