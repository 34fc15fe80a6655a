package dev.facebeam.transforms;

import static org.junit.Assert.assertEquals;

import dev.facebeam.TestData;
import dev.facebeam.packs.PackOpener;
import dev.facebeam.proto.AlignMethod;
import dev.facebeam.proto.FaceRecord;
import dev.facebeam.proto.Reject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class DecodeAndAlignTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void alignedFixturePassesThroughAndCorruptImageIsRejected() throws Exception {
    byte[] good = Files.readAllBytes(TestData.file("orl/s1/1.pgm"));
    FaceRecord orl = dev.facebeam.codec.pack.RawFaces.raw("img-000000001", "orl/s1/1.pgm", 1,
        dev.facebeam.proto.Role.LABELLED, good).setLabel(0).build();
    FaceRecord broken = dev.facebeam.codec.pack.RawFaces.raw("img-000000002", "broken.jpg", 2,
        dev.facebeam.proto.Role.LABELLED, new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 0, 1, 2}).build();
    Path png = tmp.newFolder("png").toPath();
    PCollectionTuple out = p.apply(Create.of(orl, broken).withCoder(ProtoCoder.of(FaceRecord.class)))
        .apply(DecodeAndAlign.create().withPngExport(png.toString()));
    PCollection<String> methods = out.get(FaceTags.FACES)
        .apply("Describe", MapElements.into(TypeDescriptors.strings()).via(f -> f.getId() + " " + f.getAlignMethod() + " " + f.getWidth() + "x" + f.getHeight()));
    PAssert.that(methods).containsInAnyOrder("img-000000001 " + AlignMethod.CENTER_CROP + " 112x112");
    PAssert.that(out.get(FaceTags.REJECTS).apply("RejectIds", MapElements.into(TypeDescriptors.strings()).via(Reject::getId)))
        .containsInAnyOrder("img-000000002");
    p.run().waitUntilFinish();
    assertEquals(true, Files.exists(png.resolve("img-000000001.png")));
  }

  @Test
  public void readFacePackReadsEverySliceOfTheRealRec() {
    PCollectionTuple read = p.apply(new ReadFacePack(
        dev.facebeam.codec.pack.RecPack.open(TestData.file("rec/small_lfw/small_lfw_labelled.rec"), 3)));
    PCollectionTuple aligned = read.get(FaceTags.FACES).apply(DecodeAndAlign.create());
    PAssert.thatSingleton(aligned.get(FaceTags.FACES).apply("Count", Count.globally())).isEqualTo(20L);
    PAssert.that(aligned.get(FaceTags.REJECTS)).empty();
    PAssert.that(aligned.get(FaceTags.FACES).apply("Methods", MapElements.into(TypeDescriptors.strings()).via(f -> f.getAlignMethod().name())))
        .satisfies(it -> {
          it.forEach(m -> assertEquals("PASSTHROUGH", m));
          return null;
        });
    p.run().waitUntilFinish();
    assertEquals("bin", PackOpener.detect(TestData.file("bin/small_lfw.bin")));
  }
}
