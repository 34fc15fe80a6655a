package dev.facebeam.pipelines.ingest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.facebeam.codec.image.ImageCodec;
import dev.facebeam.codec.image.RgbPixels;
import dev.facebeam.packs.PackOpener;
import dev.facebeam.proto.FaceRecord;
import dev.facebeam.proto.Reject;
import dev.facebeam.transforms.FaceTags;
import dev.facebeam.transforms.DecodeAndAlign;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Ingest's read-and-align graph as Beam tests a transform: TestPipeline and PAssert, fixture-free. */
public class IngestFacesTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();

  private static byte[] jpeg(int seed, int size) {
    byte[] px = new byte[size * size * 3];
    for (int i = 0; i < px.length; i++) {
      px[i] = (byte) (i * seed % 251);
    }
    return ImageCodec.encodeJpeg(new RgbPixels(size, size, px), 90);
  }

  @Test
  public void everyImageReadIsAnAlignedFaceOrARejectWithItsReason() throws Exception {
    Path root = tmp.newFolder("faces").toPath();
    Files.createDirectories(root.resolve("ann"));
    Files.createDirectories(root.resolve("bob"));
    Files.write(root.resolve("ann/1.jpg"), jpeg(3, 112));
    Files.write(root.resolve("ann/2.jpg"), jpeg(5, 160)); // not 112×112: centre-cropped and resized
    byte[] cut = jpeg(7, 112);
    Files.write(root.resolve("bob/1.jpg"), Arrays.copyOf(cut, cut.length / 2));

    PCollectionTuple out = p.apply("Faces", new IngestFaces(PackOpener.open(root, "folder", null), null));
    PAssert.that(out.get(FaceTags.FACES)).satisfies(faces -> {
      List<String> paths = new ArrayList<>();
      for (FaceRecord f : faces) {
        paths.add(f.getRelativePath());
        assertEquals("ann", f.getIdentity());
        assertTrue(f.getId(), f.hasAligned() ? f.getAligned().getWidth() == 112 : f.getEncoded().getData().size() > 0);
      }
      paths.sort(null);
      assertEquals(List.of("ann/1.jpg", "ann/2.jpg"), paths);
      return null;
    });
    PAssert.that(out.get(FaceTags.REJECTS)).satisfies(rejects -> {
      List<Reject> all = new ArrayList<>();
      rejects.forEach(all::add);
      assertEquals(1, all.size());
      assertTrue(all.get(0).getSource(), all.get(0).getSource().endsWith("bob/1.jpg"));
      assertTrue(all.get(0).getReason(), all.get(0).getReason().contains("truncated JPEG"));
      return null;
    });
    // What the reader emitted: three records, none refused at reading; the cut JPEG fails at decoding.
    PAssert.thatSingleton(out.get(DecodeAndAlign.TAKEN_IN).apply("SumRead", Sum.longsGlobally())).isEqualTo(3L);
    PAssert.that(out.get(IngestFaces.READ_REJECTS)).empty();
    p.run().waitUntilFinish();
  }
}
