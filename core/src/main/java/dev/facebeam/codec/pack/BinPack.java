package dev.facebeam.codec.pack;

import dev.facebeam.proto.Role;
import dev.facebeam.proto.VerificationPair;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A verification {@code .bin} (docs/formats.md). Opening parses the whole pickle once, so a malformed pack
 * fails before any work is scheduled. Its tasks are ranges of images (at most {@link #TASKS}, of at
 * least {@link #MIN_IMAGES_PER_TASK} each): each re-reads the pickle on a worker and emits its range, so
 * decoding is spread without a record reshuffle (which sent every image through Flink's group-by).
 * A pickle has no index to seek by, so each task parses the whole file: eight parses of a 60–80 MB
 * LFW-style pack, in parallel.
 */
public final class BinPack implements FacePack {
  static final int TASKS = 8;
  static final int MIN_IMAGES_PER_TASK = 1_000;

  private final String file;
  private final boolean[] issame;

  /** Images [from, to) of the pack. */
  public record Range(String file, int from, int to) implements Serializable {}

  private BinPack(String file, boolean[] issame) {
    this.file = file;
    this.issame = issame;
  }

  public static BinPack open(Path file) {
    VerificationPack pack = VerificationPack.read(file);
    return new BinPack(file.toString(), pack.issame());
  }

  @Override
  public String format() {
    return "bin";
  }

  @Override
  public List<Range> tasks() {
    int n = 2 * issame.length;
    int per = Math.max(MIN_IMAGES_PER_TASK, (n + TASKS - 1) / TASKS);
    List<Range> out = new ArrayList<>();
    for (int from = 0; from < n; from += per) {
      out.add(new Range(file, from, Math.min(n, from + per)));
    }
    return out.isEmpty() ? List.of(new Range(file, 0, 0)) : out;
  }

  @Override
  public void read(Serializable task, FaceSink sink) {
    Range range = (Range) task;
    VerificationPack pack = VerificationPack.read(Path.of(range.file()));
    for (int i = range.from(); i < Math.min(range.to(), pack.images().size()); i++) {
      String id = RawFaces.id("bin", i);
      byte[] image = pack.images().get(i);
      String source = file + "#image=" + i;
      if (image.length == 0) {
        sink.reject(id, source, "empty image bytes");
        continue;
      }
      sink.face(RawFaces.raw(id, source, i, Role.PAIR_MEMBER, image).build());
    }
  }

  /** The pairs: images 2i and 2i+1 are pair i. */
  public List<VerificationPair> pairs() {
    List<VerificationPair> out = new ArrayList<>(issame.length);
    for (int i = 0; i < issame.length; i++) {
      out.add(VerificationPair.newBuilder()
          .setIndex(i)
          .setFirstId(RawFaces.id("bin", 2L * i))
          .setSecondId(RawFaces.id("bin", 2L * i + 1))
          .setIssame(issame[i])
          .build());
    }
    return out;
  }

  @Override
  public long expectedFaces() {
    return 2L * issame.length;
  }

  @Override
  public List<String> inputFiles() {
    return List.of(file);
  }

  @Override
  public PackSummary summary() {
    int pos = 0;
    for (boolean b : issame) {
      pos += b ? 1 : 0;
    }
    Map<String, String> params = new LinkedHashMap<>();
    params.put("images", Integer.toString(issame.length * 2));
    return new PackSummary(0, issame.length, pos, params, List.of());
  }
}
