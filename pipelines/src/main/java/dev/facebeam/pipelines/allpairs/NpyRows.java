package dev.facebeam.pipelines.allpairs;

import dev.facebeam.codec.export.NpyMatrix;
import dev.facebeam.metrics.AllPairs;
import java.nio.file.Path;

/** The rows of a .npy matrix as a worker reads them: a block's rows only, by position; the header read once per worker. */
final class NpyRows implements AllPairs.Rows {
  private static final long serialVersionUID = 1L;
  private final String file;
  private final int d;
  private transient NpyMatrix matrix;

  NpyRows(String file, int d) {
    this.file = file;
    this.d = d;
  }

  @Override
  public int d() {
    return d;
  }

  @Override
  public void read(int from, int n, float[] dst) {
    if (matrix == null) {
      matrix = NpyMatrix.open(Path.of(file));
    }
    matrix.readRows(from, n, dst, 0);
  }

  @Override
  public String source() {
    return file;
  }
}
