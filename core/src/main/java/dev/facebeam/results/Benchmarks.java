package dev.facebeam.results;

import java.util.List;
import java.util.Map;

/** The benchmarks' display names and the seed's column order (docs/results.md). */
public final class Benchmarks {
  private Benchmarks() {}

  /** Columns in the order of InsightFace's tables; other benchmarks follow, by name. */
  public static final List<String> ORDER = List.of(
      "lfw", "cfp_ff", "cfp_fp", "agedb_30", "calfw", "cplfw", "vgg2_fp", "megaface", "ijbb", "ijbc");

  private static final Map<String, String> NAMES = Map.of(
      "lfw", "LFW", "cfp_ff", "CFP-FF", "cfp_fp", "CFP-FP", "agedb_30", "AgeDB-30", "calfw", "CALFW",
      "cplfw", "CPLFW", "vgg2_fp", "VGG2-FP", "megaface", "MegaFace", "ijbb", "IJB-B", "ijbc", "IJB-C");

  /** LFW for lfw; a benchmark without a seed name is shown as it is named. */
  public static String name(String benchmark) {
    return NAMES.getOrDefault(benchmark, benchmark);
  }

  /**
   * Sort position: the seed's verification packs in its order, then other verification packs (by
   * name, after this), then MegaFace, IJB-B, IJB-C, then anything else.
   */
  public static int rank(String benchmark, String kind) {
    int i = ORDER.indexOf(benchmark);
    int megaface = ORDER.indexOf("megaface");
    if (i >= 0) {
      return i < megaface ? i : i + 1;
    }
    return kind.equals(ResultRecord.VERIFICATION) ? megaface : ORDER.size() + 1;
  }
}
