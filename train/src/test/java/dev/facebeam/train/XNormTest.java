package dev.facebeam.train;

import static org.junit.Assert.assertEquals;

import dev.facebeam.embed.FlipFusion;
import dev.facebeam.pipelines.verify.VerifyJob;
import dev.facebeam.proto.Embedding;
import dev.facebeam.proto.VerificationPair;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.Test;

/** Training's verification and the verify stage give one XNorm (and one accuracy) for the same embeddings. */
public class XNormTest {
  @Test
  public void trainingAndVerifyAverageTheNormsOfOriginalAndMirroredEmbeddings() throws Exception {
    Random random = new Random(5);
    int images = 40;
    float[][] original = new float[images][16];
    float[][] mirrored = new float[images][16];
    double handSum = 0;
    for (int i = 0; i < images; i++) {
      double no = 0;
      double nm = 0;
      for (int k = 0; k < 16; k++) {
        original[i][k] = (float) (random.nextGaussian() * (1 + i % 5));
        mirrored[i][k] = original[i][k] * 0.5f + (float) random.nextGaussian();
        no += (double) original[i][k] * original[i][k];
        nm += (double) mirrored[i][k] * mirrored[i][k];
      }
      handSum += Math.sqrt(no) + Math.sqrt(nm); // verification.py: every embedding of both passes
    }
    double expected = handSum / (2 * images);
    boolean[] issame = new boolean[images / 2];
    for (int p = 0; p < issame.length; p++) {
      issame[p] = p % 2 == 0;
    }

    Verifier.Score training = Verifier.score("lfw", original, mirrored, issame);

    List<VerificationPair> pairs = new ArrayList<>();
    Map<String, Embedding> byId = new HashMap<>();
    for (int i = 0; i < images; i++) {
      FlipFusion.Fused f = FlipFusion.fuse(original[i], mirrored[i]);
      Embedding.Builder e = Embedding.newBuilder().setId("img" + i).setNormOriginal(f.normOriginal()).setNormFlipped(f.normFlipped());
      for (float v : f.vector()) {
        e.addVector(v);
      }
      for (float v : original[i]) {
        e.addRawOriginal(v);
      }
      byId.put("img" + i, e.build());
    }
    for (int p = 0; p < issame.length; p++) {
      pairs.add(VerificationPair.newBuilder().setFirstId("img" + 2 * p).setSecondId("img" + (2 * p + 1)).setIssame(issame[p]).build());
    }
    dev.facebeam.pipelines.verify.VerifyResult verify = VerifyJob.score("lfw", pairs, byId, true, Path.of("pairs.pb"));

    assertEquals(expected, training.xnorm(), 1e-5 * expected);
    assertEquals(expected, verify.xnorm(), 1e-5 * expected);
    assertEquals(training.xnorm(), verify.xnorm(), 1e-9 * expected);
    assertEquals(training.accuracyFlip(), verify.flip().accuracy(), 0);
  }
}
