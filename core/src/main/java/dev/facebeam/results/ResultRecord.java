package dev.facebeam.results;

import dev.facebeam.io.Digests;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * One entry of the results store (docs/results.md): every number one stage reported for one model
 * on one benchmark under one protocol, where it came from and when. The key — model name, model
 * SHA-256, preprocessing, embedding settings, benchmark and protocol parameters — names the record:
 * evaluating the same key again replaces it. Undefined numbers are null, never NaN.
 *
 * @param kind verification, megaface, ijb or allpairs
 * @param settings how the embeddings were made beyond the preprocessing (flip, engine)
 * @param protocol the benchmark's own parameters (MegaFace sizes and FAR, IJB mode …)
 * @param created when the stage output was made (its manifest's time: re-adding it gives the same bytes)
 * @param source the stage output the numbers were read from
 */
public record ResultRecord(String benchmark, String kind, String model, String modelSha256, String preprocessing,
    SortedMap<String, String> settings, SortedMap<String, String> protocol, Metrics metrics, Curve roc,
    Long pairs, Long negatives, String facebeamVersion, String created, String source) {

  public static final String VERIFICATION = "verification";
  public static final String MEGAFACE = "megaface";
  public static final String IJB = "ijb";
  public static final String ALL_PAIRS = "allpairs";

  /**
   * The numbers; each may be null where the benchmark does not define it. {@code tarAtFar} is keyed
   * by the FAR as Python prints it ("1e-06" … "0.1"); {@code rank1} by the distractor-set size;
   * {@code cmc} is the identification rate at ranks 1, 2, … on the largest size.
   */
  public record Metrics(Double accuracy, Double accuracyStd, Double accuracyFlip, Double accuracyFlipStd, Double xnorm,
      Double val, Double valStd, Double far, Map<String, Double> tarAtFar, Map<String, Double> rank1, List<Double> cmc) {}

  /** A ROC as TAR at FARs on a log grid (docs/results.md); null where a benchmark has no different-identity pairs. */
  public record Curve(List<Double> far, List<Double> tar) {}

  /** The record's identity: equal for two evaluations of the same model, benchmark and parameters. */
  public String id() {
    return Digests.sha256("record", benchmark, model, modelSha256, preprocessing, settings.toString(), protocol.toString());
  }

  /** The row this record belongs to in a table: one model file, preprocessed and embedded one way. */
  public String rowKey() {
    return Digests.sha256("row", model, modelSha256, preprocessing, settings.toString());
  }

  /** The column: one benchmark under one set of protocol parameters. */
  public String columnKey() {
    return benchmark + " " + protocol;
  }
}
