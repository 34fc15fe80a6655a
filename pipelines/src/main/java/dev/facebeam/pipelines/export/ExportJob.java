package dev.facebeam.pipelines.export;

import dev.facebeam.UserInputException;
import dev.facebeam.export.CheckpointExport;
import dev.facebeam.pipelines.stage.StageLayout;
import java.io.PrintStream;
import java.nio.file.Path;

/** {@code export}'s command line made into a request once (docs/export.md). */
public final class ExportJob {
  private ExportJob() {}

  public static CheckpointExport.Result run(ExportOptions o, PrintStream log) {
    String format = o.getFormat() == null || o.getFormat().equals(StageLayout.AUTO_FORMAT)
        ? CheckpointExport.formatFor(Path.of(o.getOutput())) : o.getFormat();
    int batch;
    if (o.getBatch() == null || o.getBatch().equals("dynamic")) {
      batch = 0;
    } else {
      try {
        batch = Integer.parseInt(o.getBatch());
      } catch (NumberFormatException e) {
        throw new UserInputException("--batch", "'" + o.getBatch() + "': dynamic or a batch size");
      }
      if (batch < 1) {
        throw new UserInputException("--batch", "'" + o.getBatch() + "': dynamic or a batch size of at least 1");
      }
    }
    return CheckpointExport.run(new CheckpointExport.Request(Path.of(o.getModel()), Path.of(o.getOutput()), format, o.getOpset(), batch,
        o.getFaces() == null ? null : Path.of(o.getFaces())), log);
  }
}
