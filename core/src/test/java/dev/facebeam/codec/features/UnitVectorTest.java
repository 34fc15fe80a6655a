package dev.facebeam.codec.features;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import dev.facebeam.UserInputException;
import java.util.Random;
import org.junit.Test;

public class UnitVectorTest {

  /** Rows side by side give the bits of one row at a time, for every count of rows around the group of four. */
  @Test
  public void rowsTogetherEqualOneAtATime() {
    Random r = new Random(9);
    int d = 37;
    for (int rows = 0; rows <= 11; rows++) {
      float[] v = new float[3 + rows * d];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(9) - 4));
      }
      float[] one = v.clone();
      for (int k = 0; k < rows; k++) {
        UnitVector.normalise(one, 3 + k * d, d, "row " + k);
      }
      UnitVector.normaliseRows(v, 3, rows, d, k -> "row " + k);
      assertArrayEquals("rows " + rows, one, v, 0f);
    }
  }

  /** A NaN, an infinity or a zero row is named, whichever place it has in its group. */
  @Test
  public void aBadRowIsNamed() {
    for (int bad = 0; bad < 6; bad++) {
      for (float value : new float[] {Float.NaN, Float.NEGATIVE_INFINITY, 0f}) {
        float[] v = new float[6 * 4];
        java.util.Arrays.fill(v, 0.5f);
        if (value == 0f) {
          java.util.Arrays.fill(v, bad * 4, bad * 4 + 4, 0f);
        } else {
          v[bad * 4 + 2] = value;
        }
        int at = bad;
        UserInputException e = assertThrows(UserInputException.class,
            () -> UnitVector.normaliseRows(v, 0, 6, 4, k -> "features.npy@row=" + (100 + k)));
        assertEquals("features.npy@row=" + (100 + at) + ": " + (value == 0f ? "zero feature vector" : "feature holds NaN or infinity"),
            e.getMessage());
      }
    }
  }
}
