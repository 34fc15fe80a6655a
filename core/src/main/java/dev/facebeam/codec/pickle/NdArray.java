package dev.facebeam.codec.pickle;

/**
 * A numpy array rebuilt from {@code _reconstruct} + {@code BUILD}: only the fixed-size, plain-old-data
 * dtypes the packs use are accepted, and the byte count must match the shape.
 */
public final class NdArray {
  private long[] shape = new long[0];
  private String dtype = "";
  private byte[] data;

  void setState(long[] shape, String dtype, byte[] data) {
    this.shape = shape;
    this.dtype = dtype;
    this.data = data;
  }

  public long[] shape() {
    return shape.clone();
  }

  /** numpy's dtype string, e.g. {@code u1} or {@code b1}. */
  public String dtype() {
    return dtype;
  }

  /** Raw bytes in C order; null until BUILD. */
  public byte[] data() {
    return data;
  }

  public long elementCount() {
    long n = 1;
    for (long s : shape) {
      n *= s;
    }
    return n;
  }
}
