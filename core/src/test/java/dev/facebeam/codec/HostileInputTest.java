package dev.facebeam.codec;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.facebeam.CollectingSink;
import dev.facebeam.TestData;
import dev.facebeam.UserInputException;
import dev.facebeam.align.FacePreparation;
import dev.facebeam.codec.pack.RecPack;
import dev.facebeam.codec.pack.VerificationPack;
import dev.facebeam.proto.FaceRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Randomly corrupted real packs: every outcome must be a parsed pack, a UserInputException naming the
 * file, or per-record rejects whose count reconciles — never another exception, a hang or an OOM.
 */
public class HostileInputTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  private static byte[] mutate(byte[] data, Random r) {
    byte[] d = data.clone();
    int edits = 1 + r.nextInt(8);
    for (int i = 0; i < edits; i++) {
      int at = r.nextInt(d.length);
      switch (r.nextInt(3)) {
        case 0 -> d[at] = (byte) r.nextInt(256);
        case 1 -> d[at] ^= (byte) (1 << r.nextInt(8));
        default -> d[at] = (byte) 0xFF;
      }
    }
    if (r.nextInt(4) == 0) {
      d = java.util.Arrays.copyOf(d, r.nextInt(d.length));
    }
    return d;
  }

  @Test(timeout = 60_000)
  public void corruptedVerificationPacksFailCleanly() throws Exception {
    byte[] real = Files.readAllBytes(TestData.file("bin/small_lfw.bin"));
    Random r = new Random(20261128);
    int parsed = 0;
    int refused = 0;
    for (int i = 0; i < 400; i++) {
      byte[] bad = mutate(real, r);
      try {
        VerificationPack p = VerificationPack.parse(bad, "fuzz.bin");
        parsed++;
        for (byte[] img : p.images()) {
          decodeOrReject(img);
        }
      } catch (UserInputException e) {
        assertTrue(e.getMessage(), e.getMessage().startsWith("fuzz.bin"));
        refused++;
      }
    }
    assertEquals(400, parsed + refused);
    assertTrue("some mutations must be refused", refused > 0);
  }

  @Test(timeout = 60_000)
  public void corruptedRecFilesRejectOrFailCleanly() throws Exception {
    byte[] real = Files.readAllBytes(TestData.file("rec/adaface/train.rec"));
    byte[] idx = Files.readAllBytes(TestData.file("rec/adaface/train.idx"));
    Random r = new Random(7);
    for (int i = 0; i < 150; i++) {
      Path dir = tmp.newFolder("case" + i).toPath();
      Files.write(dir.resolve("a.rec"), mutate(real, r));
      boolean idxIntact = r.nextInt(5) != 0;
      Files.write(dir.resolve("a.idx"), idxIntact ? idx : mutate(idx, r));
      try {
        RecPack pack = RecPack.open(dir.resolve("a.rec"));
        CollectingSink c = CollectingSink.readAll(pack);
        int rejectedLater = 0;
        for (FaceRecord f : c.faces) {
          rejectedLater += decodeOrReject(f.getEncoded().getData().toByteArray()) ? 0 : 1;
        }
        if (idxIntact) {
          assertEquals("every indexed image is read or rejected", 8, c.faces.size() + c.rejects.size());
        }
        assertTrue(rejectedLater <= c.faces.size());
      } catch (UserInputException e) {
        assertTrue(e.getMessage(), e.getMessage().contains("a.rec") || e.getMessage().contains("a.idx"));
      }
    }
  }

  /** True when the image decodes and aligns; false when it is rejected with a reason. */
  private static boolean decodeOrReject(byte[] img) {
    try {
      FacePreparation.prepare(dev.facebeam.codec.pack.RawFaces.raw("x", "fuzz", 0, dev.facebeam.proto.Role.TRAIN, img).build());
      return true;
    } catch (FacePreparation.RejectedFace e) {
      assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
      return false;
    }
  }
}
