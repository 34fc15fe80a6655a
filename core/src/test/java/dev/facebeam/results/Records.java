package dev.facebeam.results;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Records built by hand for the table and store tests. */
final class Records {
  private Records() {}

  static ResultRecord verification(String model, String sha, String benchmark, double accFlip, double std) {
    Map<String, Double> tar = new LinkedHashMap<>();
    Metric.FARS.forEach(f -> tar.put(f, null));
    tar.put("0.001", 0.5);
    return new ResultRecord(benchmark, ResultRecord.VERIFICATION, model, sha, "RGB (x-127.5)/128",
        new TreeMap<>(Map.of("flip", "true")), new TreeMap<>(Map.of("folds", "10")),
        new ResultRecord.Metrics(accFlip - 0.01, std, accFlip, std, 20.5, null, null, null, tar, null, null),
        new ResultRecord.Curve(List.of(0.001, 0.01), List.of(0.5, 0.75)), 6000L, 3000L, "dev",
        "2026-12-02T00:00:00Z", "/work/" + model + "/" + benchmark);
  }

  static ResultRecord megaface(String model, String sha, double rank1Small, double rank1Large) {
    Map<String, Double> rank1 = new LinkedHashMap<>();
    rank1.put("10", rank1Small);
    rank1.put("1000000", rank1Large);
    return new ResultRecord("megaface", ResultRecord.MEGAFACE, model, sha, "RGB (x-127.5)/128",
        new TreeMap<>(Map.of("flip", "true")), new TreeMap<>(Map.of("far", "1e-6", "sizes", "10,1000000")),
        new ResultRecord.Metrics(null, null, null, null, null, null, null, null, Map.of("1e-06", 0.9), rank1,
            List.of(rank1Large, 1.0)), null, null, null, "dev", "2026-12-02T00:00:00Z", "/work/" + model + "/megaface");
  }
}
