package dev.facebeam.codec.recordio;

import dev.facebeam.UserInputException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * MXNet's image-record header {@code IfQQ} (flag, label, id, id2), 24 bytes, followed by
 * {@code flag} float32 labels when flag &gt; 0 (docs/formats.md).
 */
public record IrHeader(int flag, float label, long id, long id2, float[] labels) {
  public static final int BYTES = 24;

  /** A header with a scalar label (flag 0), as {@code pack} writes for images. */
  public static IrHeader scalar(float label, long id) {
    return new IrHeader(0, label, id, 0, new float[0]);
  }

  /** A header with a label array; like MXNet's pack, flag becomes the array length. */
  public static IrHeader array(float[] labels, long id) {
    return new IrHeader(labels.length, 0f, id, 0, labels.clone());
  }

  /** The class label: the scalar, or the first array element as InsightFace's readers take it. */
  public float classLabel() {
    return flag > 0 ? labels[0] : label;
  }

  /** A record split into its header and payload. */
  public record Unpacked(IrHeader header, byte[] record, int payloadOffset) {
    public int payloadLength() {
      return record.length - payloadOffset;
    }

    public byte[] payload() {
      byte[] p = new byte[payloadLength()];
      System.arraycopy(record, payloadOffset, p, 0, p.length);
      return p;
    }
  }

  public static Unpacked unpack(byte[] record, String where) {
    if (record.length < BYTES) {
      throw new UserInputException(where, "record of " + record.length + " bytes is shorter than the 24-byte IRHeader");
    }
    ByteBuffer b = ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN);
    int flag = b.getInt(0);
    float label = b.getFloat(4);
    long id = b.getLong(8);
    long id2 = b.getLong(16);
    if (flag < 0 || flag > (record.length - BYTES) / 4) {
      throw new UserInputException(where, "IRHeader flag " + Integer.toUnsignedString(flag) + " claims more label floats than the record holds");
    }
    float[] labels = new float[flag];
    for (int i = 0; i < flag; i++) {
      labels[i] = b.getFloat(BYTES + 4 * i);
    }
    return new Unpacked(new IrHeader(flag, label, id, id2, labels), record, BYTES + 4 * flag);
  }

  /** Header ‖ label floats ‖ payload, as MXNet's {@code recordio.pack}. */
  public byte[] pack(byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(BYTES + 4 * flag + payload.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(flag).putFloat(flag > 0 ? 0f : label).putLong(id).putLong(id2);
    for (float l : labels) {
      b.putFloat(l);
    }
    b.put(payload);
    return b.array();
  }
}
