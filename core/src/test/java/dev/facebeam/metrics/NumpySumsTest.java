package dev.facebeam.metrics;

import static org.junit.Assert.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.Test;

public class NumpySumsTest {

  /** np.sum(x * y) of rows of awkward lengths, as NumPy 2 computed them (sums/make_dots.py): every bit. */
  @Test
  public void dotEqualsNumpysSumOfProducts() throws IOException {
    List<String> lines = Files.readAllLines(Path.of("src/test/resources/sums/dots.txt"));
    int checked = 0;
    for (String line : lines) {
      if (line.startsWith("#")) {
        continue;
      }
      String[] f = line.split(" ");
      int n = Integer.parseInt(f[0]);
      double[] x = new double[n];
      double[] y = new double[n];
      for (int i = 0; i < n; i++) {
        x[i] = Double.parseDouble(f[1 + i]);
        y[i] = Double.parseDouble(f[1 + n + i]);
      }
      double expected = Double.parseDouble(f[1 + 2 * n]);
      assertEquals("length " + n, Double.doubleToLongBits(expected), Double.doubleToLongBits(NumpySums.dot(x, y)));
      checked++;
    }
    assertEquals(20, checked);
  }

  /** The dot without a product array is the pairwise sum of the rounded products, for every length up to 600. */
  @Test
  public void dotIsThePairwiseSumOfTheProducts() {
    Random r = new Random(3);
    for (int n = 0; n <= 600; n++) {
      double[] x = new double[n];
      double[] y = new double[n];
      double[] p = new double[n];
      for (int i = 0; i < n; i++) {
        x[i] = r.nextGaussian() * Math.pow(10, r.nextInt(7) - 3);
        y[i] = r.nextGaussian() * Math.pow(10, r.nextInt(7) - 3);
        p[i] = x[i] * y[i];
      }
      assertEquals("length " + n, Double.doubleToLongBits(NumpySums.pairwise(p, 0, n)),
          Double.doubleToLongBits(NumpySums.dot(x, y)));
    }
  }
}
