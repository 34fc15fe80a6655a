package dev.facebeam.pipelines;

import static org.junit.Assume.assumeTrue;

import dev.facebeam.io.StageFiles;
import dev.facebeam.proto.FaceRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/** Real fixtures and small helpers for the stage tests. */
final class Fixtures {
  private Fixtures() {}

  static Path shared(String relative) {
    String p = System.getProperty("facebeam.sharedData", "../../shared/data");
    Path dir = Path.of(p);
    assumeTrue("real fixtures not found at " + dir, Files.isDirectory(dir));
    return dir.resolve(relative).toAbsolutePath().normalize();
  }

  static IngestOptions ingestOptions(Path input, Path output) {
    IngestOptions o = PipelineOptionsFactory.fromArgs("--runner=DirectRunner").as(IngestOptions.class);
    o.setInput(input.toString());
    o.setOutput(output.toString());
    return o;
  }

  static PackOptions packOptions(Path input, Path output) {
    PackOptions o = PipelineOptionsFactory.create().as(PackOptions.class);
    o.setInput(input.toString());
    o.setOutput(output.toString());
    return o;
  }

  static List<FaceRecord> records(Path stageDir) throws IOException {
    List<FaceRecord> out = new ArrayList<>();
    try (var s = Files.list(stageDir)) {
      for (Path p : s.filter(f -> f.getFileName().toString().startsWith("part-")).sorted().toList()) {
        out.addAll(StageFiles.readFramed(p, FaceRecord.parser()));
      }
    }
    return out;
  }
}
