package dev.facebeam.embed;

import dev.facebeam.models.TorchScriptModules;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A real TorchScript model without Python (TorchScriptModules): forward(x) returns one expression of x. */
final class TorchScriptArchive {
  private TorchScriptArchive() {}

  static void write(Path file, String returnExpression) throws IOException {
    Files.write(file, TorchScriptModules.archive("net", "Net", "x: Tensor", returnExpression));
  }
}
