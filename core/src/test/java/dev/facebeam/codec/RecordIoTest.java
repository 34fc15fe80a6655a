package dev.facebeam.codec;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.facebeam.CollectingSink;
import dev.facebeam.TestData;
import dev.facebeam.UserInputException;
import dev.facebeam.codec.image.ImageCodec;
import dev.facebeam.codec.image.RgbPixels;
import dev.facebeam.codec.pack.RecPack;
import dev.facebeam.codec.recordio.IrHeader;
import dev.facebeam.codec.recordio.RecordIoDataset;
import dev.facebeam.codec.recordio.RecordIoIndex;
import dev.facebeam.codec.recordio.RecordIoReader;
import dev.facebeam.codec.recordio.RecordIoWriter;
import dev.facebeam.proto.FaceRecord;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class RecordIoTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();


  @Test
  public void adafaceRecordsMatchIm2recList() throws Exception {
    Path rec = TestData.file("rec/adaface/train.rec");
    Map<Long, Long> lstLabels = new HashMap<>();
    for (String line : Files.readAllLines(TestData.file("rec/adaface/train.lst"))) {
      String[] f = line.split("\t");
      lstLabels.put(Long.parseLong(f[0]), (long) Double.parseDouble(f[1]));
    }
    RecPack pack = RecPack.open(rec, 3); // small slices: several tasks over 8 keys
    assertEquals("shuffled", pack.summary().parameters().get("layout"));
    assertEquals(3, pack.tasks().size());
    CollectingSink c = CollectingSink.readAll(pack);
    assertEquals(List.of(), c.rejects);
    assertEquals(8, c.faces.size());
    for (FaceRecord f : c.faces) {
      assertEquals((long) lstLabels.get(f.getIndex()), f.getLabel());
      RgbPixels px = ImageCodec.decode(f.getEncoded().getData().toByteArray());
      assertEquals(112, px.width());
      assertEquals(112, px.height());
      assertEquals("jpeg", f.getEncoded().getFormat());
    }
  }

  @Test
  public void smallLfwLabelledHasTwentyFacesOfSixIdentities() {
    CollectingSink c = CollectingSink.readAll(RecPack.open(TestData.file("rec/small_lfw/small_lfw_labelled.rec")));
    assertEquals(20, c.faces.size());
    Set<Long> labels = new HashSet<>();
    c.faces.forEach(f -> labels.add(f.getLabel()));
    assertEquals(Set.of(0L, 1L, 2L, 3L, 4L, 5L), labels);
  }

  @Test
  public void offsetsFollowTheMxnetDocstringExample() throws Exception {
    // MXIndexedRecordIO.tell: five 8-byte records sit at 0, 16, 32, 48, 64.
    Path rec = tmp.getRoot().toPath().resolve("five.rec");
    List<Long> offsets = new ArrayList<>();
    try (RecordIoWriter w = new RecordIoWriter(rec, RecordIoDataset.siblingIdx(rec))) {
      for (int i = 0; i < 5; i++) {
        offsets.add(w.write(i, ("record_" + i).getBytes(StandardCharsets.US_ASCII)));
      }
    }
    assertEquals(List.of(0L, 16L, 32L, 48L, 64L), offsets);
    assertEquals(80, Files.size(rec));
    assertEquals("0\t0\n1\t16\n2\t32\n3\t48\n4\t64\n", Files.readString(RecordIoDataset.siblingIdx(rec)));
  }

  @Test
  public void payloadHoldingTheMagicIsSplitAndRejoined() throws Exception {
    byte[] magic = {0x0A, 0x23, (byte) 0xD7, (byte) 0xCE};
    // Magic at aligned offsets 0 and 8 (split), at unaligned offset 13 (not split), and 2 tail bytes.
    byte[] payload = new byte[22];
    for (int i = 0; i < payload.length; i++) {
      payload[i] = (byte) (i + 1);
    }
    System.arraycopy(magic, 0, payload, 0, 4);
    System.arraycopy(magic, 0, payload, 8, 4);
    System.arraycopy(magic, 0, payload, 13, 4);
    Path rec = tmp.getRoot().toPath().resolve("multi.rec");
    try (RecordIoWriter w = new RecordIoWriter(rec, RecordIoDataset.siblingIdx(rec))) {
      w.write(0, payload);
      w.write(1, "after".getBytes(StandardCharsets.US_ASCII));
    }
    // Expected parts by the dmlc rule: [] cflag 1, [4..8) cflag 2, [12..22) cflag 3.
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(rec)).order(ByteOrder.LITTLE_ENDIAN);
    int[][] expected = {{1, 0}, {2, 4}, {3, 10}};
    int pos = 0;
    for (int[] part : expected) {
      assertEquals(0xCED7230A, b.getInt(pos));
      int lrec = b.getInt(pos + 4);
      assertEquals(part[0], lrec >>> 29);
      assertEquals(part[1], lrec & ((1 << 29) - 1));
      pos += 8 + ((part[1] + 3) / 4) * 4;
    }
    try (RecordIoReader r = new RecordIoReader(rec)) {
      RecordIoReader.Read first = r.readAt(0);
      assertArrayEquals(payload, first.payload());
      assertEquals(pos, first.next());
      assertArrayEquals("after".getBytes(StandardCharsets.US_ASCII), r.readAt(first.next()).payload());
      UserInputException e = assertThrows(UserInputException.class, () -> r.readAt(8)); // the middle part
      assertThat(e.getMessage(), containsString("middle of a multi-part record"));
    }
  }

  @Test
  public void irHeaderWithLabelArrayRoundTrips() {
    IrHeader h = IrHeader.array(new float[] {7f, 9f}, 42);
    IrHeader.Unpacked u = IrHeader.unpack(h.pack(new byte[] {1, 2, 3}), "test");
    assertEquals(2, u.header().flag());
    assertEquals(0f, u.header().label(), 0f);
    assertArrayEquals(new float[] {7f, 9f}, u.header().labels(), 0f);
    assertEquals(42, u.header().id());
    assertArrayEquals(new byte[] {1, 2, 3}, u.payload());
    assertEquals(7f, u.header().classLabel(), 0f);
    // 24-byte IfQQ header + 8 bytes of labels.
    assertEquals(24 + 8 + 3, h.pack(new byte[] {1, 2, 3}).length);
  }

  /** An InsightFace layout written by hand: images 1..4, header 0 = [5, 7), identities 5 and 6. */
  private Path insightFaceRec(Path dir) throws Exception {
    List<byte[]> jpegs = jpegs();
    Path rec = dir.resolve("train.rec");
    try (RecordIoWriter w = new RecordIoWriter(rec, RecordIoDataset.siblingIdx(rec))) {
      for (int k = 1; k <= 4; k++) {
        w.write(k, IrHeader.scalar(k <= 2 ? 0 : 1, k).pack(jpegs.get(k)));
      }
      w.write(0, IrHeader.array(new float[] {5, 7}, 0).pack(new byte[0]));
      w.write(5, IrHeader.array(new float[] {1, 3}, 5).pack(new byte[0]));
      w.write(6, IrHeader.array(new float[] {3, 5}, 6).pack(new byte[0]));
    }
    Files.writeString(dir.resolve("property"), "2,112,112\n");
    return rec;
  }

  static List<byte[]> jpegs() {
    Path rec = TestData.file("rec/adaface/train.rec");
    RecordIoIndex idx = RecordIoIndex.read(RecordIoDataset.siblingIdx(rec));
    List<byte[]> out = new ArrayList<>();
    try (RecordIoReader r = new RecordIoReader(rec)) {
      for (int i = 0; i < idx.size(); i++) {
        out.add(IrHeader.unpack(r.readAt(idx.offset(i)).payload(), "fixture").payload());
      }
    }
    return out;
  }

  @Test
  public void insightFaceHeaderLayoutReadsOnlyImageKeys() throws Exception {
    Path dir = tmp.newFolder("ds").toPath();
    insightFaceRec(dir);
    RecPack pack = RecPack.open(dir); // the dataset folder form: property required and present
    assertEquals("insightface", pack.summary().parameters().get("layout"));
    assertEquals(2, pack.summary().declaredIdentities());
    assertEquals(List.of(), pack.summary().warnings());
    CollectingSink c = CollectingSink.readAll(pack);
    assertEquals(4, c.faces.size());
    assertEquals(List.of(0L, 0L, 1L, 1L), c.faces.stream().map(FaceRecord::getLabel).sorted().toList());
  }

  /**
   * Issue 23: labels of −5 and 1e20 were kept (1e20 stored as 9223372036854775807) and the identity
   * count left them out. A label must be a class index below the property's count: else a reject.
   */
  @Test
  public void labelsThatAreNoClassIndexAreRejectsWithTheReason() throws Exception {
    Path dir = tmp.newFolder("labels").toPath();
    List<byte[]> jpegs = jpegs();
    float[] labels = {0f, -5f, 1e20f, 2.5f, 1f, 2f};
    Path rec = dir.resolve("train.rec");
    try (RecordIoWriter w = new RecordIoWriter(rec, RecordIoDataset.siblingIdx(rec))) {
      for (int k = 0; k < labels.length; k++) {
        w.write(k, IrHeader.scalar(labels[k], k).pack(jpegs.get(k)));
      }
    }
    Files.writeString(dir.resolve("property"), "2,112,112\n");
    CollectingSink c = CollectingSink.readAll(RecPack.open(dir));
    assertEquals(List.of(0L, 1L), c.faces.stream().map(FaceRecord::getLabel).sorted().toList());
    assertEquals(4, c.rejects.size());
    assertThat(c.rejects.get(0), containsString("#key=1 | label -5 is negative"));
    assertThat(c.rejects.get(1), containsString("#key=2 | label 1.0000000200408773E20 is too large to be a class index"));
    assertThat(c.rejects.get(2), containsString("#key=3 | label 2.5 is not a whole number"));
    assertThat(c.rejects.get(3), containsString("#key=5 | label 2 is not below the 2 classes the property file declares"));
  }

  @Test
  public void missingPropertyInADatasetFolderIsAnError() throws Exception {
    Path dir = tmp.newFolder("noprop").toPath();
    insightFaceRec(dir);
    Files.delete(dir.resolve("property"));
    UserInputException e = assertThrows(UserInputException.class, () -> RecPack.open(dir));
    assertThat(e.getMessage(), containsString("missing property file"));
    // The .rec itself can still be read without one.
    assertEquals(4, CollectingSink.readAll(RecPack.open(dir.resolve("train.rec"))).faces.size());
  }

  @Test
  public void wrongMagicIsAnErrorNamingTheFile() throws Exception {
    Path rec = tmp.getRoot().toPath().resolve("bad.rec");
    Files.write(rec, new byte[64]);
    Files.writeString(RecordIoDataset.siblingIdx(rec), "0\t0\n");
    UserInputException e = assertThrows(UserInputException.class, () -> RecPack.open(rec));
    assertThat(e.getMessage(), containsString("bad.rec@offset=0"));
    assertThat(e.getMessage(), containsString("wrong magic"));
  }

  @Test
  public void duplicateIndexKeysAreAnError() throws Exception {
    Path dir = tmp.newFolder("dup").toPath();
    Path rec = dir.resolve("a.rec");
    Files.copy(TestData.file("rec/adaface/train.rec"), rec);
    Files.writeString(dir.resolve("a.idx"), "0\t0\n1\t5028\n1\t11020\n");
    UserInputException e = assertThrows(UserInputException.class, () -> RecPack.open(rec));
    assertThat(e.getMessage(), containsString("a.idx:3"));
    assertThat(e.getMessage(), containsString("duplicate key 1"));
  }

  @Test
  public void offsetThatIsNotARecordStartIsRejectedWithAReason() throws Exception {
    Path dir = tmp.newFolder("off").toPath();
    Path rec = dir.resolve("a.rec");
    Files.copy(TestData.file("rec/adaface/train.rec"), rec);
    Files.writeString(dir.resolve("a.idx"), "0\t0\n1\t5504\n2\t11228\n");
    CollectingSink c = CollectingSink.readAll(RecPack.open(rec));
    assertEquals(2, c.faces.size());
    assertEquals(1, c.rejects.size());
    assertThat(c.rejects.get(0), containsString("rec-000000001"));
    assertThat(c.rejects.get(0), containsString("not a record start"));
  }

  @Test
  public void truncatedRecRejectsTheCutRecordsAndKeepsTheRest() throws Exception {
    Path dir = tmp.newFolder("trunc").toPath();
    Path rec = dir.resolve("a.rec");
    byte[] all = Files.readAllBytes(TestData.file("rec/adaface/train.rec"));
    // Cut inside the record at offset 33296 (key 3), so keys 3 and 2 (at 38568) are lost.
    Files.write(rec, java.util.Arrays.copyOf(all, 34000));
    Files.copy(TestData.file("rec/adaface/train.idx"), dir.resolve("a.idx"));
    CollectingSink c = CollectingSink.readAll(RecPack.open(rec));
    assertEquals(6, c.faces.size());
    assertEquals(2, c.rejects.size());
    assertTrue(c.rejects.stream().allMatch(r -> r.contains("truncated") || r.contains("outside the file")));
  }

  @Test
  public void hostileLengthIsRefusedWithoutAllocating() throws Exception {
    Path rec = tmp.getRoot().toPath().resolve("huge.rec");
    ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(0xCED7230A).putInt((1 << 29) - 1).putInt(0).putInt(0);
    Files.write(rec, b.array());
    try (RecordIoReader r = new RecordIoReader(rec)) {
      assertTrue(r.isRecordStart(0));
      UserInputException e = assertThrows(UserInputException.class, () -> r.readAt(0));
      assertThat(e.getMessage(), containsString("truncated"));
    }
  }

  @Test
  public void emptyIndexIsAnEmptyPackError() throws Exception {
    Path rec = tmp.getRoot().toPath().resolve("e.rec");
    Files.write(rec, new byte[0]);
    Files.writeString(RecordIoDataset.siblingIdx(rec), "");
    UserInputException e = assertThrows(UserInputException.class, () -> RecPack.open(rec));
    assertThat(e.getMessage(), containsString("empty"));
  }

  @Test
  public void indexSlicesCoverEveryLineOnce() throws Exception {
    Path rec = TestData.file("rec/small_lfw/small_lfw_labelled.rec");
    RecordIoDataset ds = RecordIoDataset.open(rec);
    List<Long> keys = new ArrayList<>();
    for (RecordIoDataset.Slice s : ds.slices(7)) {
      RecordIoIndex.readSlice(ds.idx(), s.fromByte(), s.toByte(), s.firstLine(), e -> keys.add(e.key()));
    }
    assertEquals(20, keys.size());
    assertEquals(20, new HashSet<>(keys).size());
    assertFalse(ds.slices(7).isEmpty());
  }
}
