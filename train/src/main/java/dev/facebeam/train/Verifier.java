package dev.facebeam.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.facebeam.UserInputException;
import dev.facebeam.codec.image.ImageCodec;
import dev.facebeam.codec.image.ImageDecodeException;
import dev.facebeam.codec.pack.VerificationPack;
import dev.facebeam.embed.FlipFusion;
import dev.facebeam.embed.Preprocessing;
import dev.facebeam.metrics.VerificationProtocol;
import dev.facebeam.metrics.XNorm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Verification during training (docs/training.md, docs/verification.md): each {@code <target>.bin} of the dataset folder is
 * embedded with the network being trained (inference mode, flip fusion) and scored with the
 * verification stage's own protocol code; the "highest" rule picks the model to keep.
 */
final class Verifier {
  record Target(String name, VerificationPack pack) {}

  record Score(String target, double xnorm, double accuracyFlip, double accuracyFlipStd) {}

  private final List<Target> targets;
  private final List<String> missing = new ArrayList<>();
  private double highestSum;
  private double highestLast;

  Verifier(Path dataset, List<String> names) {
    targets = new ArrayList<>();
    for (String n : names) {
      Path f = dataset.resolve(n + ".bin");
      if (Files.isRegularFile(f)) {
        targets.add(new Target(n, VerificationPack.read(f)));
      } else {
        missing.add(n);
      }
    }
  }

  List<Target> targets() {
    return targets;
  }

  List<String> missing() {
    return missing;
  }

  /** Embeds a target's images (original and mirrored, fused) and runs the 10-fold protocol. */
  static Score test(Target t, Block embedding, NDManager manager, Device device, int batch) {
    List<byte[]> images = t.pack().images();
    int n = images.size();
    int len = Preprocessing.INSIGHTFACE.length();
    float[][] original = new float[n][];
    float[][] mirrored = new float[n][];
    for (int start = 0; start < n; start += batch) {
      int b = Math.min(batch, n - start);
      float[] orig = new float[b * len];
      float[] flip = new float[b * len];
      for (int i = 0; i < b; i++) {
        try {
          var px = ImageCodec.decode(images.get(start + i));
          Preprocessing.INSIGHTFACE.write(px, false, orig, i * len);
          Preprocessing.INSIGHTFACE.write(px, true, flip, i * len);
        } catch (ImageDecodeException e) {
          throw new UserInputException(t.name() + ".bin#image=" + (start + i), "cannot decode: " + e.getMessage(), e);
        }
      }
      float[][] eo = forward(embedding, manager, device, orig, b);
      float[][] ef = forward(embedding, manager, device, flip, b);
      System.arraycopy(eo, 0, original, start, b);
      System.arraycopy(ef, 0, mirrored, start, b);
    }
    return score(t.name(), original, mirrored, t.pack().issame());
  }

  /** A NaN, infinite or zero embedding: the network diverged. */
  static final class BadEmbedding extends IllegalStateException {
    BadEmbedding(String message) {
      super(message);
    }
  }

  /** Fusion, XNorm and the 10-fold protocol over raw embeddings: image 2i and 2i+1 form pair i. */
  static Score score(String target, float[][] original, float[][] mirrored, boolean[] issame) {
    int n = original.length;
    float[][] fused = new float[n][];
    XNorm xnorm = new XNorm();
    for (int i = 0; i < n; i++) {
      try {
        FlipFusion.Fused f = FlipFusion.fuse(original[i], mirrored[i]);
        fused[i] = f.vector();
        xnorm.add(f.normOriginal(), true, f.normFlipped());
      } catch (FlipFusion.BadEmbedding e) {
        throw new BadEmbedding("[" + target + "] the network produced a bad embedding for image " + i
            + " (" + e.getMessage() + "): it diverged");
      }
    }
    float[] dist = new float[issame.length];
    for (int p = 0; p < dist.length; p++) {
      dist[p] = VerificationProtocol.squaredDistance(fused[2 * p], fused[2 * p + 1]);
    }
    VerificationProtocol.Result r = VerificationProtocol.evaluate(dist, issame);
    return new Score(target, xnorm.mean(), r.accuracy(), r.accuracyStd());
  }

  static float[][] forward(Block embedding, NDManager manager, Device device, float[] x, int b) {
    try (NDManager m = manager.newSubManager(device)) {
      NDArray in = m.create(x, new Shape(b, 3, 112, 112));
      NDArray out = embedding.forward(new ParameterStore(m, false), new NDList(in), false).singletonOrThrow();
      int d = (int) out.getShape().get(1);
      float[] flat = out.toFloatArray();
      float[][] rows = new float[b][d];
      for (int i = 0; i < b; i++) {
        System.arraycopy(flat, i * d, rows[i], 0, d);
      }
      return rows;
    }
  }

  /**
   * train.py's "highest" rule (docs/verification.md) over Accuracy-Flip in val_targets order: a new best when the last
   * target improves, or ties with a sum at least as high. Returns whether this round is a new best.
   */
  boolean newHighest(List<Score> round) {
    if (round.isEmpty()) {
      return true; // nothing to compare: every round counts (the caller decides whether to save)
    }
    double last = round.get(round.size() - 1).accuracyFlip();
    double sum = round.stream().mapToDouble(Score::accuracyFlip).sum();
    boolean best = false;
    if (last >= highestLast) {
      if (last > highestLast) {
        best = true; // the stored sum is not updated in this branch (as in train.py)
      } else if (sum >= highestSum) {
        best = true;
        highestSum = sum;
      }
      highestLast = last;
    }
    return best;
  }

  double highest() {
    return highestLast;
  }
}
