package dev.facebeam.transforms;

import dev.facebeam.codec.CodecException;
import dev.facebeam.codec.export.DevkitFeature;
import dev.facebeam.codec.pack.TextSlice;
import dev.facebeam.proto.Embedding;
import dev.facebeam.proto.Role;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;

/**
 * Distractors given the way InsightFace's {@code run.sh} gives them to the devkit: {@code megaface_lst}
 * lines and a folder of {@code <a1>/<a2>/<file>_<algo>.bin} feature files (spec §4.2–§4.3). Each
 * becomes an L2-normalised {@link Embedding} whose index is its list line. A missing file is an error
 * naming it, unless {@code skipMissing}, when it is counted ({@code megaface/missing}).
 */
public final class ReadDevkitFeatures extends PTransform<PBegin, PCollection<Embedding>> {
  private final String list;
  private final String features;
  private final String algo;
  private final Set<String> noise;
  private final boolean skipMissing;

  public ReadDevkitFeatures(String list, String features, String algo, Set<String> noise, boolean skipMissing) {
    this.list = list;
    this.features = features;
    this.algo = algo;
    this.noise = noise;
    this.skipMissing = skipMissing;
  }

  @Override
  public PCollection<Embedding> expand(PBegin begin) {
    List<TextSlice> slices = new ArrayList<>(TextSlice.plan(Path.of(list), 20_000));
    return begin.apply("Slices", Create.of(slices).withCoder(SerializableCoder.of(TextSlice.class)))
        .apply("Spread", Reshuffle.viaRandomKey())
        .apply("ReadFeatures", ParDo.of(new ReadFn(features, algo, noise, skipMissing)))
        .setCoder(ProtoCoder.of(Embedding.class));
  }

  /** Reads one feature file as a unit vector; the file and reason in every error. */
  public static float[] readUnit(Path file) {
    float[] v;
    try {
      v = DevkitFeature.decode(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new CodecException(file.toString(), "bad devkit feature file: " + e.getMessage(), e);
    }
    double n = 0;
    for (float f : v) {
      if (!Float.isFinite(f)) {
        throw new CodecException(file.toString(), "feature holds NaN or infinity");
      }
      n += (double) f * f;
    }
    if (!(n > 0)) {
      throw new CodecException(file.toString(), "zero feature vector");
    }
    float[] u = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      u[i] = (float) (v[i] / Math.sqrt(n));
    }
    return u;
  }

  static final class ReadFn extends DoFn<TextSlice, Embedding> {
    private final String features;
    private final String algo;
    private final Set<String> noise;
    private final boolean skipMissing;
    private final Counter missing = Metrics.counter("megaface", "missing");

    ReadFn(String features, String algo, Set<String> noise, boolean skipMissing) {
      this.features = features;
      this.algo = algo;
      this.noise = noise;
      this.skipMissing = skipMissing;
    }

    @ProcessElement
    public void process(@Element TextSlice slice, OutputReceiver<Embedding> out) {
      for (TextSlice.Line line : slice.lines()) {
        String[] parts = dev.facebeam.codec.pack.MegaFacePack.tail(line.text().strip(), 3);
        if (parts == null) {
          continue;
        }
        String rel = String.join("/", parts);
        Path file = Path.of(features).resolve(DevkitFeature.fileName(rel, algo));
        if (!Files.isRegularFile(file)) {
          if (skipMissing) {
            missing.inc();
            continue;
          }
          throw new CodecException(file.toString(), "feature file missing for " + slice.path() + ":" + line.number()
              + " (pass --skipMissing to count and skip)");
        }
        Embedding.Builder e = Embedding.newBuilder()
            .setId(String.format("distractor-%09d", line.number()))
            .setRole(Role.DISTRACTOR)
            .setIndex(line.number())
            .setRelativePath(rel)
            .setLabel(-1)
            .setNoisy(noise.contains(rel));
        for (float f : readUnit(file)) {
          e.addVector(f);
        }
        out.output(e.build());
      }
    }
  }
}
