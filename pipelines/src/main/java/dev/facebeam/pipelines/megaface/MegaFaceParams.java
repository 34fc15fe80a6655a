package dev.facebeam.pipelines.megaface;

import dev.facebeam.UserInputException;
import dev.facebeam.config.Options;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * What megaface reads and how it scores: one of the three input forms, the output folder and the
 * protocol's settings. Made once from the command line's options by {@link MegaFaceJob#params}, or by
 * {@code run} from its config.
 */
public record MegaFaceParams(Inputs inputs, Path output, Protocol protocol) {

  /** The probe and distractor sets, in one of the forms users have them (docs/megaface.md). */
  public sealed interface Inputs permits Embedded, Devkit, Numpy {
    /** Every input path, for the output rule (an output may not be an input or hold one). */
    List<Path> paths();
  }

  /** Embed outputs of an ingested MegaFace pack (may be one folder for both). */
  public record Embedded(Path probes, Path distractors) implements Inputs {
    public List<Path> paths() {
      return List.of(probes, distractors);
    }
  }

  /** run.sh's layout: facescrub_lst and megaface_lst, and the folders of {@code <file>_<algo>.bin} features. */
  public record Devkit(Path facescrubList, Path megafaceList, Path facescrubFeatures, Path megafaceFeatures, Noise noise,
      boolean skipMissing) implements Inputs {
    public List<Path> paths() {
      return Stream.concat(Stream.of(facescrubList, megafaceList, facescrubFeatures, megafaceFeatures), noise.paths()).toList();
    }
  }

  /** NumPy matrices with their lists: row i of a matrix is line i of its list. */
  public record Numpy(Path probesNpy, Path probesList, Path distractorsNpy, Path distractorsList, Noise noise) implements Inputs {
    public List<Path> paths() {
      return Stream.concat(Stream.of(probesNpy, probesList, distractorsNpy, distractorsList), noise.paths()).toList();
    }
  }

  /** facescrub_noises.txt and megaface_noises.txt; either may be null (nothing known to be noisy). */
  public record Noise(Path facescrub, Path megaface) {
    Stream<Path> paths() {
      return Stream.of(facescrub, megaface).filter(Objects::nonNull);
    }
  }

  /**
   * The protocol: distractor-set sizes (distinct, in the order given), target FARs, CMC ranks kept,
   * noise cleaning, distractors per matrix product and the algorithm's name in file names; with the
   * sizes and FARs as the user wrote them, which the manifest and the results store record.
   */
  public record Protocol(List<Integer> sizes, List<Double> far, int topK, boolean noiseCleaning, int blockSize, String algo,
      String sizesText, String farText) {

    /** The settings as given (by options or a run config), each checked; an error names the flag. */
    public static Protocol of(String sizes, String far, int topK, boolean noiseCleaning, int blockSize, String algo) {
      List<Integer> s = Options.list(sizes).stream().map(v -> (int) Options.number("--sizes", v, 1, Integer.MAX_VALUE - 8))
          .distinct().toList();
      List<Double> f = Options.list(far).stream().map(v -> Options.fraction("--far", v)).toList();
      if (s.isEmpty() || f.isEmpty()) {
        throw new UserInputException(s.isEmpty() ? "--sizes" : "--far", "needs at least one value");
      }
      Options.number("--topK", Integer.toString(topK), 1, 1_000_000);
      Options.number("--blockSize", Integer.toString(blockSize), 1, 1 << 20);
      return new Protocol(s, f, topK, noiseCleaning, blockSize, algo, sizes, far);
    }

    int[] sizeArray() {
      return sizes.stream().mapToInt(Integer::intValue).toArray();
    }

    double[] farArray() {
      return far.stream().mapToDouble(Double::doubleValue).toArray();
    }
  }
}
