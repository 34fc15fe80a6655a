package dev.facebeam.pipelines.megaface;

import dev.facebeam.metrics.MegaFaceProtocol;
import java.util.List;
import java.util.Locale;

/**
 * The whole run: per-size reports, the probe set's shape, what cleaning touched, and what was
 * skipped (missing feature files, identities with one image, noise entries naming nothing).
 */
public record MegaFaceResult(List<Size> sizes, int probes, int identities, int probesReplaced, long noisyDistractors,
    long noiseEntriesNotInLists, long distractorsRead, long probesMissing, long distractorsMissing,
    List<String> singleImageIdentities, List<Integer> sizesLeftOut) {

  /** One size's numbers. */
  public record Size(int size, long distractors, long trials, long correct, double rank1, double[] cmc,
      List<MegaFaceProtocol.TarAtFar> tarAtFar) {}

  /** The console's lines: the probe set, what cleaning touched, rank-1 per size and the sizes left out. */
  public String summary() {
    StringBuilder sb = new StringBuilder(String.format("megaface: %d probes of %d identities, %d probes replaced, %d noisy distractors",
        probes, identities, probesReplaced, noisyDistractors));
    for (Size s : sizes) {
      sb.append(String.format(Locale.ROOT, "%n  size %d, %d distractors scored: rank-1 %.5f (%d/%d)", s.size(),
          s.distractors(), s.rank1(), s.correct(), s.trials()));
    }
    if (!sizesLeftOut.isEmpty()) {
      sb.append(String.format("%n  sizes above the %d distractors in the lists left out: %s", distractorsRead + distractorsMissing,
          sizesLeftOut.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", "))));
    }
    return sb.toString();
  }
}
