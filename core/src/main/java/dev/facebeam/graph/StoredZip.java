package dev.facebeam.graph;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * A zip archive of stored (uncompressed) entries, as PyTorch writes its archives (docs/export.md):
 * each entry's data starts on a 64-byte boundary (padding in an extra field with PyTorch's id "FB"),
 * and every time stamp is 1980-01-01, so the same entries give the same bytes.
 */
final class StoredZip {
  private static final int ALIGN = 64;
  private static final int DOS_DATE_1980_01_01 = (1 << 5) | 1;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream central = new ByteArrayOutputStream();
  private int entries;

  void add(String name, byte[] data) {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    CRC32 crc = new CRC32();
    crc.update(data);
    long offset = out.size();
    int header = 30 + n.length;
    int pad = (int) ((ALIGN - (offset + header + 4) % ALIGN) % ALIGN);
    ByteBuffer h = le(header + 4 + pad);
    h.putInt(0x04034b50).putShort((short) 20).putShort((short) 0).putShort((short) 0).putShort((short) 0)
        .putShort((short) DOS_DATE_1980_01_01).putInt((int) crc.getValue()).putInt(data.length).putInt(data.length)
        .putShort((short) n.length).putShort((short) (4 + pad)).put(n).putShort((short) 0x4246).putShort((short) pad);
    for (int i = 0; i < pad; i++) {
      h.put((byte) 'Z');
    }
    out.writeBytes(h.array());
    out.writeBytes(data);
    ByteBuffer c = le(46 + n.length);
    c.putInt(0x02014b50).putShort((short) 20).putShort((short) 20).putShort((short) 0).putShort((short) 0).putShort((short) 0)
        .putShort((short) DOS_DATE_1980_01_01).putInt((int) crc.getValue()).putInt(data.length).putInt(data.length)
        .putShort((short) n.length).putShort((short) 0).putShort((short) 0).putShort((short) 0).putShort((short) 0)
        .putInt(0).putInt((int) offset).put(n);
    central.writeBytes(c.array());
    entries++;
    if (out.size() < 0 || (long) out.size() + central.size() > 0xFFFF_FFF0L) {
      throw new IllegalStateException("archive over 4 GB (zip64 is not written)");
    }
  }

  byte[] finish() {
    long cdOffset = out.size();
    out.writeBytes(central.toByteArray());
    ByteBuffer e = le(22);
    e.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) entries).putShort((short) entries)
        .putInt(central.size()).putInt((int) cdOffset).putShort((short) 0);
    out.writeBytes(e.array());
    return out.toByteArray();
  }

  private static ByteBuffer le(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }
}
