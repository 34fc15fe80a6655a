package dev.facebeam.pipelines.run;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;

import dev.facebeam.UserInputException;
import dev.facebeam.io.Digests;
import dev.facebeam.pipelines.embed.EmbedPipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The chain {@code run} and {@code evaluate} share, without running it: each layout puts a stage where
 * that command always has, and the fingerprints are the ones earlier work folders' run-state.json
 * hold (SHA-256 over the stage, its upstream's fingerprint or its input's hash, and its settings),
 * so an upgrade does not rerun what is current.
 */
public class TargetChainTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  private TargetChain.Context context(Path work, String modelFingerprint) {
    return new TargetChain.Context(PipelineOptionsFactory.create(), work.resolve("m.onnx"), EmbedPipeline.DEFAULT_SETTINGS,
        modelFingerprint, (stage, target) -> work.resolve(stage.toString()).resolve(target));
  }

  @Test
  public void aVerificationChainIsIngestEmbedVerifyWithTheFingerprintsRunHasAlwaysRecorded() throws Exception {
    Path work = tmp.getRoot().toPath();
    Path bin = Files.writeString(work.resolve("lfw.bin"), "pack bytes");
    List<Stage> chain = TargetChain.verification(context(work, "model-fp"), "lfw", bin);
    assertEquals(List.of(StageName.INGEST, StageName.EMBED, StageName.VERIFY), chain.stream().map(Stage::name).toList());
    assertEquals(List.of("ingest/lfw", "embed/lfw", "verify/lfw"), chain.stream().map(Stage::key).toList());
    assertEquals(work.resolve("embed").resolve("lfw"), chain.get(1).folder());
    String ingest = Digests.sha256("ingest", "format=bin", Digests.sha256(bin));
    String embed = Digests.sha256("embed", ingest, "model-fp");
    assertEquals(ingest, chain.get(0).fingerprint());
    assertEquals(embed, chain.get(1).fingerprint());
    assertEquals(Digests.sha256("verify", embed, "target=lfw"), chain.get(2).fingerprint());
  }

  @Test
  public void aNewModelChangesEmbedAndWhatFollowsNotIngest() throws Exception {
    Path work = tmp.getRoot().toPath();
    Path bin = Files.writeString(work.resolve("lfw.bin"), "pack bytes");
    List<Stage> a = TargetChain.verification(context(work, "model A"), "lfw", bin);
    List<Stage> b = TargetChain.verification(context(work, "model B"), "lfw", bin);
    assertEquals(a.get(0).fingerprint(), b.get(0).fingerprint());
    assertNotEquals(a.get(1).fingerprint(), b.get(1).fingerprint());
    assertNotEquals(a.get(2).fingerprint(), b.get(2).fingerprint());
    Files.writeString(bin, "other pack bytes");
    List<Stage> c = TargetChain.verification(context(work, "model A"), "lfw", bin);
    for (int i = 0; i < 3; i++) {
      assertNotEquals(a.get(i).fingerprint(), c.get(i).fingerprint());
    }
  }

  @Test
  public void evaluatesLayoutKeepsATargetsStagesTogether() throws Exception {
    Path out = tmp.getRoot().toPath();
    Path bin = Files.writeString(out.resolve("cfp_fp.bin"), "x");
    TargetChain.Context c = new TargetChain.Context(PipelineOptionsFactory.create(), out.resolve("m.onnx"),
        EmbedPipeline.DEFAULT_SETTINGS, "fp", (stage, target) -> out.resolve(target).resolve(stage.toString()));
    List<Stage> chain = TargetChain.verification(c, "cfp_fp", bin);
    assertEquals(List.of(out.resolve("cfp_fp/ingest"), out.resolve("cfp_fp/embed"), out.resolve("cfp_fp/verify")),
        chain.stream().map(Stage::folder).toList());
    // Nothing was built: no record to store.
    assertEquals(null, chain.get(2).record());
  }

  @Test
  public void stagesAreNamedAsTheFlagsTakeThem() {
    assertEquals(StageName.MEGAFACE, StageName.parse("--from", "megaface"));
    assertEquals("ingest,embed,verify,megaface,ijb", String.join(",", java.util.Arrays.stream(StageName.values()).map(StageName::toString).toList()));
    assertEquals(StageName.ALL, String.join(",", java.util.Arrays.stream(StageName.values()).map(StageName::toString).toList()));
    assertThat(assertThrows(UserInputException.class, () -> StageName.parse("--stages", "verfy")).getMessage(),
        containsString("--stages: unknown stage 'verfy' (stages: ingest, embed, verify, megaface, ijb)"));
  }
}
