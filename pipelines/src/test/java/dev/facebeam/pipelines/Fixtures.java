package dev.facebeam.pipelines;

import static org.junit.Assume.assumeTrue;

import dev.facebeam.io.StageFiles;
import dev.facebeam.pipelines.ingest.IngestOptions;
import dev.facebeam.pipelines.pack.PackOptions;
import dev.facebeam.proto.FaceRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/** Real fixtures and small helpers for the stage tests. */
public final class Fixtures {
  private Fixtures() {}

  public static Path shared(String relative) {
    String p = System.getProperty("facebeam.sharedData", "../../shared/data");
    Path dir = Path.of(p);
    assumeTrue("real fixtures not found at " + dir, Files.isDirectory(dir));
    return dir.resolve(relative).toAbsolutePath().normalize();
  }

  /**
   * A MegaFace test-pack folder built from ORL: probes {@code Person_1..persons} (ORL s1..), each with
   * {@code probeImages} images; distractors from ORL subjects [firstDistractor, lastDistractor], each
   * with {@code distractorImages} images; both lists written. Returns the megaface_lst text.
   */
  public static String megafacePack(Path root, int persons, int probeImages, int firstDistractor, int lastDistractor,
      int distractorImages) throws IOException {
    StringBuilder fs = new StringBuilder();
    for (int s = 1; s <= persons; s++) {
      Path dir = Files.createDirectories(root.resolve("facescrub_images/Person_" + s));
      for (int i = 1; i <= probeImages; i++) {
        Files.copy(shared("orl/s" + s + "/" + i + ".pgm"), dir.resolve("Person_" + s + "_" + i + ".png"));
        fs.append("Person_").append(s).append("/Person_").append(s).append('_').append(i).append(".png\n");
      }
    }
    StringBuilder mf = new StringBuilder();
    for (int s = firstDistractor; s <= lastDistractor; s++) {
      Path dir = Files.createDirectories(root.resolve("megaface_images/" + s + "/u" + s + "@N00"));
      for (int i = 1; i <= distractorImages; i++) {
        Files.copy(shared("orl/s" + s + "/" + i + ".pgm"), dir.resolve(i + "_0.jpg"));
        mf.append(s).append("/u").append(s).append("@N00/").append(i).append("_0.jpg\n");
      }
    }
    Files.writeString(root.resolve("facescrub_lst"), fs.toString());
    Files.writeString(root.resolve("megaface_lst"), mf.toString());
    return mf.toString();
  }

  public static IngestOptions ingestOptions(Path input, Path output) {
    IngestOptions o = PipelineOptionsFactory.fromArgs("--runner=DirectRunner").as(IngestOptions.class);
    o.setInput(input.toString());
    o.setOutput(output.toString());
    return o;
  }

  public static PackOptions packOptions(Path input, Path output) {
    PackOptions o = PipelineOptionsFactory.create().as(PackOptions.class);
    o.setInput(input.toString());
    o.setOutput(output.toString());
    return o;
  }

  public static List<FaceRecord> records(Path stageDir) throws IOException {
    List<FaceRecord> out = new ArrayList<>();
    try (var s = Files.list(stageDir)) {
      for (Path p : s.filter(f -> f.getFileName().toString().startsWith("part-")).sorted().toList()) {
        out.addAll(StageFiles.readFramed(p, FaceRecord.parser()));
      }
    }
    return out;
  }
}
