package dev.facebeam.embed;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import ai.djl.Device;
import com.google.protobuf.ByteString;
import dev.facebeam.CollectingSink;
import dev.facebeam.TestData;
import dev.facebeam.align.FacePreparation;
import dev.facebeam.codec.pack.RecPack;
import dev.facebeam.proto.Embedding;
import dev.facebeam.proto.FaceRecord;
import dev.facebeam.proto.Reject;
import dev.facebeam.transforms.EmbedFaces;
import dev.facebeam.transforms.FaceTags;
import dev.facebeam.transforms.ProtoCoder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@link EmbedFaces} as Beam tests a transform: in a TestPipeline, its two outputs checked with
 * PAssert against the in-process embedder over the same model (one predictor, no Beam).
 */
public class EmbedFacesTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void everyFaceIsEmbeddedAsTheEmbedderDoesOrRejectedWithItsReason() throws Exception {
    System.setProperty("ai.djl.offline", "true");
    List<FaceRecord> faces = new ArrayList<>();
    for (FaceRecord raw : CollectingSink.readAll(RecPack.open(TestData.file("rec/small_lfw/small_lfw_labelled.rec"))).faces) {
      faces.add(FacePreparation.prepare(raw).record());
    }
    // One face whose image cannot be decoded: a reject, never a lost record.
    faces.add(faces.get(0).toBuilder().setId("broken").clearAligned()
        .setEncoded(faces.get(0).getEncoded().toBuilder().setData(ByteString.copyFrom(new byte[] {(byte) 0xFF, (byte) 0xD8, 1, 2})))
        .build());
    Path model = FaceEmbedderTest.saveSmallConvNet(tmp.newFolder("model").toPath(), 32, 32);
    ModelSpec spec = ModelSpec.resolve(model, ModelSpec.Overrides.NONE);

    Map<String, float[]> expected = new HashMap<>();
    try (FaceModel m = FaceModel.load(spec, Device.cpu()); FaceEmbedder e = new FaceEmbedder(m, 8, true, false)) {
      e.embed(faces, out -> expected.put(out.getId(), vector(out)), (f, why) -> { });
    }
    assertEquals(faces.size() - 1, expected.size());

    PCollectionTuple out = p.apply("Faces", Create.of(faces).withCoder(ProtoCoder.of(FaceRecord.class)))
        .apply("Embed", new EmbedFaces(spec, "cpu", 8, true, false));
    PAssert.that(out.get(EmbedFaces.EMBEDDINGS)).satisfies(embeddings -> {
      int n = 0;
      for (Embedding e : embeddings) {
        assertArrayEquals(e.getId(), expected.get(e.getId()), vector(e), 1e-5f);
        n++;
      }
      assertEquals(expected.size(), n);
      return null;
    });
    PAssert.that(out.get(FaceTags.REJECTS)).satisfies(rejects -> {
      List<Reject> all = new ArrayList<>();
      rejects.forEach(all::add);
      assertEquals(1, all.size());
      assertEquals("broken", all.get(0).getId());
      assertTrue(all.get(0).getReason(), all.get(0).getReason().contains("cannot decode"));
      return null;
    });
    p.run().waitUntilFinish();
  }

  private static float[] vector(Embedding e) {
    float[] v = new float[e.getVectorCount()];
    for (int i = 0; i < v.length; i++) {
      v[i] = e.getVector(i);
    }
    return v;
  }
}
