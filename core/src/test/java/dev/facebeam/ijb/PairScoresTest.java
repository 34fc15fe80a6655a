package dev.facebeam.ijb;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.facebeam.metrics.NumpySums;
import java.util.Random;
import org.junit.Test;

public class PairScoresTest {

  @Test
  public void everyPairScoredOnceInBandOrderWithThePairListsScores() {
    Random r = new Random(11);
    int t = 3 * PairScores.BAND + 17; // four bands, the last one short
    int[] ids = new int[t];
    double[][] vectors = new double[t][40];
    for (int i = 0; i < t; i++) {
      ids[i] = 5 + 3 * i; // sparse ids: rows are looked up, not taken as ids
      for (int k = 0; k < 40; k++) {
        vectors[i][k] = r.nextGaussian();
      }
    }
    TemplatePooling.Templates templates = new TemplatePooling.Templates(ids, vectors);
    int n = 30_000;
    int[] first = new int[n];
    int[] second = new int[n];
    for (int i = 0; i < n; i++) {
      first[i] = ids[r.nextInt(t)];
      second[i] = i % 97 == 0 ? first[i] : ids[r.nextInt(t)];
    }
    IjbPairs pairs = new IjbPairs(first, second, new byte[n]);

    PairScores.Visit visit = PairScores.Visit.of(templates, pairs);
    boolean[] seen = new boolean[n];
    long previous = -1;
    for (int k = 0; k < n; k++) {
      int i = visit.pair()[k];
      assertTrue("pair " + i + " visited twice", !seen[i]);
      seen[i] = true;
      assertEquals(templates.row(first[i]), visit.first()[k]);
      assertEquals(templates.row(second[i]), visit.second()[k]);
      long key = (long) (visit.first()[k] / PairScores.BAND) * t + visit.second()[k];
      assertTrue("order by band of the first row, then the second row", key >= previous);
      previous = key;
    }
    assertEquals(n, visit.pair().length);

    double[] scores = PairScores.of(templates, pairs);
    for (int i = 0; i < n; i++) {
      double expected = NumpySums.dot(vectors[templates.row(first[i])], vectors[templates.row(second[i])]);
      assertEquals("pair " + i, Double.doubleToLongBits(expected), Double.doubleToLongBits(scores[i]));
    }
  }
}
