package dev.facebeam.io;

import java.nio.file.Path;

/** A second facebeam process for {@link StageOutputTest}: begins an output, says so, holds it until stdin closes. */
public final class StageOutputHolder {
  private StageOutputHolder() {}

  public static void main(String[] args) throws Exception {
    StageOutput out = StageOutput.begin(Path.of(args[0]));
    System.out.println("held " + ProcessHandle.current().pid());
    System.out.flush();
    while (System.in.read() >= 0) {
      // wait
    }
    out.abort();
  }
}
