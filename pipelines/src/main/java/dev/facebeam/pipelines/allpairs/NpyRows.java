package dev.facebeam.pipelines.allpairs;

import dev.facebeam.codec.export.NpyMatrix;
import dev.facebeam.metrics.AllPairs;
import java.nio.file.Path;

/** The rows of a .npy matrix as a worker reads them: a block's rows only, by position. */
record NpyRows(String file, int d) implements AllPairs.Rows {
  @Override
  public void read(int from, int n, float[] dst) {
    NpyMatrix.open(Path.of(file)).readRows(from, n, dst, 0);
  }

  @Override
  public String source() {
    return file;
  }
}
