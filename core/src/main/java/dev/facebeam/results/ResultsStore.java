package dev.facebeam.results;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.facebeam.UserInputException;
import dev.facebeam.io.OutputGuard;
import dev.facebeam.io.StageFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The results store (docs/results.md): a folder of {@link ResultRecord}s, one JSON file each under
 * {@code records/}, named by the record's key. Adding a record replaces the one with its key and
 * nothing else; nothing is ever removed. The folder is marked as a store by its {@code manifest.json}
 * (stage "results"), so a folder facebeam did not make is refused before any work.
 */
public final class ResultsStore {
  public static final String STAGE = "results";
  /** The default folder name, beside a command's output folder. */
  public static final String DEFAULT_NAME = "facebeam-results";
  static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping()
      .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES).create();

  private final String option;
  private final String raw;
  private final Path dir;
  private final Collection<Path> inputs;

  private ResultsStore(String option, String raw, Path dir, Collection<Path> inputs) {
    this.option = option;
    this.raw = raw;
    this.dir = dir;
    this.inputs = inputs;
  }

  /**
   * The store at {@code raw} (the value of {@code option}), checked now — before any work — as a new
   * folder, an empty one or an earlier store; created at the first {@link #put}.
   */
  public static ResultsStore at(String option, String raw, Collection<Path> inputs) {
    return new ResultsStore(option, raw, OutputGuard.folder(option, raw, STAGE, inputs), List.copyOf(inputs));
  }

  /** An existing store, for reading; a path that is not one is an error naming it. */
  public static ResultsStore existing(String option, String raw) {
    ResultsStore s = at(option, raw, List.of());
    if (!Files.exists(s.dir)) {
      throw new UserInputException(option + "=" + raw + " (" + s.dir + ")", "no such results store folder");
    }
    if (!Files.isDirectory(s.dir.resolve("records"))) {
      throw new UserInputException(option + "=" + raw + " (" + s.dir + ")", "holds no results store (no records/ folder):"
          + " run verify, megaface, ijb, evaluate or run with --results=" + raw + " first");
    }
    return s;
  }

  /** The default store beside an output folder: {@code <parent>/facebeam-results}. */
  public static String besides(String output) {
    Path parent = Path.of(output).toAbsolutePath().normalize().getParent();
    return (parent == null ? Path.of(DEFAULT_NAME) : parent.resolve(DEFAULT_NAME)).toString();
  }

  public Path dir() {
    return dir;
  }

  /**
   * Adds a record, replacing the one with its key. A record that differs from the stored one only in
   * its time — the same numbers from the same output, evaluated again — leaves the file as it was:
   * a rerun that changes nothing changes no byte of the store. Returns the record's file.
   */
  public Path put(ResultRecord record) {
    String json = toJson(record);
    Path file = dir.resolve("records").resolve(record.id().substring(0, 24) + ".json");
    try {
      OutputGuard.claim(option, raw, STAGE, inputs);
      Files.createDirectories(file.getParent());
      if (!Files.isRegularFile(file) || !sameButForTime(read(file), record)) {
        StageFiles.writeAtomically(file, json);
      }
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot add to the results store " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Every record, in a stable order (model, SHA-256, benchmark, key); an unreadable one is an error naming its file. */
  public List<ResultRecord> records() {
    Path records = dir.resolve("records");
    if (!Files.isDirectory(records)) {
      return List.of();
    }
    List<ResultRecord> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(records)) {
      for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList()) {
        out.add(read(f));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the results store " + dir + ": " + e.getMessage(), e);
    }
    out.sort(Comparator.comparing(ResultRecord::model).thenComparing(ResultRecord::modelSha256)
        .thenComparing(ResultRecord::benchmark).thenComparing(ResultRecord::id));
    return out;
  }

  private static boolean sameButForTime(ResultRecord stored, ResultRecord r) {
    return stored.equals(new ResultRecord(r.benchmark(), r.kind(), r.model(), r.modelSha256(), r.preprocessing(), r.settings(),
        r.protocol(), r.metrics(), r.roc(), r.pairs(), r.negatives(), r.facebeamVersion(), stored.created(), r.source()));
  }

  /** The record's file text: one type writes and reads it. */
  public static String toJson(ResultRecord r) {
    return GSON.toJson(r) + "\n";
  }

  /**
   * What is wrong with a record's values, or null: a hand-edited record must not be shown as
   * 750.00 %. Rates are fractions in [0, 1], XNorm a finite norm, counts not negative.
   */
  static String problem(ResultRecord r) {
    if (!List.of(ResultRecord.VERIFICATION, ResultRecord.MEGAFACE, ResultRecord.IJB, ResultRecord.ALL_PAIRS).contains(r.kind())) {
      return "kind '" + r.kind() + "' is not verification, megaface, ijb or allpairs";
    }
    ResultRecord.Metrics m = r.metrics();
    java.util.Map<String, Double> rates = new java.util.LinkedHashMap<>();
    rates.put("metrics.accuracy", m.accuracy());
    rates.put("metrics.accuracy_std", m.accuracyStd());
    rates.put("metrics.accuracy_flip", m.accuracyFlip());
    rates.put("metrics.accuracy_flip_std", m.accuracyFlipStd());
    rates.put("metrics.val", m.val());
    rates.put("metrics.val_std", m.valStd());
    rates.put("metrics.far", m.far());
    if (m.tarAtFar() != null) {
      m.tarAtFar().forEach((k, v) -> rates.put("metrics.tar_at_far." + k, v));
    }
    if (m.rank1() != null) {
      m.rank1().forEach((k, v) -> rates.put("metrics.rank1." + k, v));
    }
    if (m.cmc() != null) {
      for (int i = 0; i < m.cmc().size(); i++) {
        rates.put("metrics.cmc[" + i + "]", m.cmc().get(i));
      }
    }
    if (r.roc() != null) {
      if (r.roc().far() == null || r.roc().tar() == null || r.roc().far().size() != r.roc().tar().size()) {
        return "roc: far and tar must be lists of the same length";
      }
      for (int i = 0; i < r.roc().far().size(); i++) {
        rates.put("roc.far[" + i + "]", r.roc().far().get(i));
        rates.put("roc.tar[" + i + "]", r.roc().tar().get(i));
      }
    }
    for (java.util.Map.Entry<String, Double> e : rates.entrySet()) {
      Double v = e.getValue();
      if (v != null && !(v >= 0 && v <= 1)) {
        return e.getKey() + " = " + v + " is not a rate in [0, 1]";
      }
    }
    if (m.xnorm() != null && !(m.xnorm() >= 0 && Double.isFinite(m.xnorm()))) {
      return "metrics.xnorm = " + m.xnorm() + " is not a finite norm";
    }
    if ((r.pairs() != null && r.pairs() < 0) || (r.negatives() != null && r.negatives() < 0)) {
      return "pairs and negatives cannot be negative";
    }
    return null;
  }

  static ResultRecord read(Path file) {
    try {
      ResultRecord r = GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), ResultRecord.class);
      if (r == null || r.benchmark() == null || r.kind() == null || r.model() == null || r.modelSha256() == null
          || r.preprocessing() == null || r.settings() == null || r.protocol() == null || r.metrics() == null) {
        throw new IllegalArgumentException("members missing");
      }
      String bad = problem(r);
      if (bad != null) {
        throw new IllegalArgumentException(bad);
      }
      return r;
    } catch (IOException | RuntimeException e) {
      throw new UserInputException(file.toString(), "not a results record this version wrote: " + e.getMessage(), e);
    }
  }
}
