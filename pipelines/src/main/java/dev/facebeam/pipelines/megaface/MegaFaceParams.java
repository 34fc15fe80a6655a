package dev.facebeam.pipelines.megaface;

import java.nio.file.Path;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * What megaface reads and how it scores, as values: one of the three input forms (embed outputs;
 * devkit lists and feature folders; NumPy matrices and their lists), the noise lists, and the
 * protocol's settings. Made once from {@link MegaFaceOptions}, or by {@code run} from its config.
 */
public record MegaFaceParams(String probes, String distractors, String facescrubList, String megafaceList,
    String facescrubFeatures, String megafaceFeatures, String probesNpy, String probesList, String distractorsNpy,
    String distractorsList, String facescrubNoises, String megafaceNoises, boolean skipMissing, String output,
    String sizes, int topK, String far, boolean noiseCleaning, int blockSize, String algo) {
  public static final String SIZES = "10,100,1000,10000,100000,1000000";
  public static final int TOP_K = 10;
  public static final String FAR = "1e-6,1e-5,1e-4";
  public static final int BLOCK_SIZE = 4096;
  public static final String ALGO = "facebeam";

  public static MegaFaceParams of(MegaFaceOptions o) {
    return new MegaFaceParams(o.getProbes(), o.getDistractors(), o.getFacescrubList(), o.getMegafaceList(),
        o.getFacescrubFeatures(), o.getMegafaceFeatures(), o.getProbesNpy(), o.getProbesList(), o.getDistractorsNpy(),
        o.getDistractorsList(), o.getFacescrubNoises(), o.getMegafaceNoises(), o.getSkipMissing(), o.getOutput(),
        o.getSizes(), o.getTopK(), o.getFar(), o.getNoiseCleaning(), o.getBlockSize(), o.getAlgo());
  }

  /** One embed output as both probes and distractors (a MegaFace pack ingested whole), as {@code run} scores it. */
  public static MegaFaceParams ofEmbedded(Path embeddings, Path output, String sizes, String far, int topK) {
    return new MegaFaceParams(embeddings.toString(), embeddings.toString(), null, null, null, null, null, null, null,
        null, null, null, false, output.toString(), sizes, topK, far, true, BLOCK_SIZE, ALGO);
  }

  /** Every input path given, for the output rule (an output may not be an input or hold one). */
  Stream<Path> inputs() {
    return Stream.of(probes, distractors, facescrubList, megafaceList, facescrubFeatures, megafaceFeatures, probesNpy,
        probesList, distractorsNpy, distractorsList, facescrubNoises, megafaceNoises).filter(Objects::nonNull).map(Path::of);
  }
}
