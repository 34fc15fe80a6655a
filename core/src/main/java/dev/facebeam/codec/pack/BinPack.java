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
 * fails before any work is scheduled; the single task re-reads it on a worker and emits its images.
 */
public final class BinPack implements FacePack {
  private final String file;
  private final boolean[] issame;

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
  public List<String> tasks() {
    return List.of(file);
  }

  @Override
  public void read(Serializable task, FaceSink sink) {
    VerificationPack pack = VerificationPack.read(Path.of((String) task));
    for (int i = 0; i < pack.images().size(); i++) {
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
