package dev.facebeam.io;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.facebeam.UserInputException;
import dev.facebeam.proto.StageManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class OutputGuardTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  private Path stageOutput(String name, String stage) throws Exception {
    Path dir = tmp.newFolder(name).toPath();
    Files.writeString(dir.resolve(StageOutput.MANIFEST), StageOutput.toJson(StageManifest.newBuilder().setStage(stage).build()));
    Files.writeString(dir.resolve("part-00000-of-00001.pb"), "x");
    return dir;
  }

  private static String refused(String raw, String stage, List<Path> inputs) {
    return assertThrows(UserInputException.class, () -> OutputGuard.folder("--output", raw, stage, inputs)).getMessage();
  }

  @Test
  public void newEmptyOrAnEarlierOutputOfTheSameStageMayBeWritten() throws Exception {
    Path fresh = tmp.getRoot().toPath().resolve("new/deeper");
    assertEquals(fresh, OutputGuard.folder("--output", fresh.toString(), "ingest", List.of()));
    Path empty = tmp.newFolder("empty").toPath();
    assertEquals(empty, OutputGuard.folder("--output", empty.toString(), "ingest", List.of()));
    Path earlier = stageOutput("earlier", "ingest");
    assertEquals(earlier, OutputGuard.folder("--output", earlier.toString(), "ingest", List.of()));
  }

  @Test
  public void anythingElseIsRefusedNamingThePath() throws Exception {
    Path users = tmp.newFolder("users").toPath();
    Files.writeString(users.resolve("thesis.tex"), "\\\\documentclass{book}");
    assertThat(refused(users.toString(), "ingest", List.of()), containsString("files that facebeam did not write"));
    assertThat(refused(users.toString(), "ingest", List.of()), containsString(users.toString()));
    Path file = users.resolve("thesis.tex");
    assertThat(refused(file.toString(), "ingest", List.of()), containsString("is an existing file"));
    Path embed = stageOutput("emb", "embed");
    assertThat(refused(embed.toString(), "ingest", List.of()), containsString("is a facebeam embed output, not an ingest output"));
    assertThat(refused("", "ingest", List.of()), containsString("--output: is empty"));
    assertThat(refused("  ", "ingest", List.of()), containsString("is empty"));
    assertThat(refused(".", "ingest", List.of()), containsString("is the working directory"));
    assertThat(refused("..", "ingest", List.of()), containsString("holds the working directory"));
    assertThat(refused("/", "ingest", List.of()), containsString("working directory"));
    Path pack = Files.writeString(tmp.getRoot().toPath().resolve("lfw.bin"), "pack");
    assertThat(refused(pack.toString(), "ingest", List.of(pack)), containsString("is an input of this command"));
    assertThat(refused(tmp.getRoot().toString(), "ingest", List.of(pack)), containsString("holds an input"));
    Path packFolder = tmp.newFolder("faces").toPath();
    assertThat(refused(packFolder.resolve("out").toString(), "ingest", List.of(packFolder)), containsString("inside the input folder"));
    assertEquals("\\\\documentclass{book}", Files.readString(file));
  }

  @Test
  public void aSymbolicLinkIsRefused() throws Exception {
    Path target = stageOutput("real", "ingest");
    Path link = Files.createSymbolicLink(tmp.getRoot().toPath().resolve("link"), target);
    assertThat(refused(link.toString(), "ingest", List.of()), containsString("symbolic link"));
  }

  @Test
  public void claimMarksAFolderAsTheStagesAtOnce() throws Exception {
    Path dir = tmp.getRoot().toPath().resolve("evaluation");
    OutputGuard.claim("--output", dir.toString(), "evaluate", List.of());
    assertEquals("evaluate", StageOutput.readManifest(dir).getStage());
    // A crash before any result leaves a folder that the next run recognises as its own.
    OutputGuard.claim("--output", dir.toString(), "evaluate", List.of());
    assertThrows(UserInputException.class, () -> OutputGuard.claim("--output", dir.toString(), "run", List.of()));
  }

  @Test
  public void sideBySideFilesMayReplaceOnlyWhatTheSidecarLists() throws Exception {
    Path dir = tmp.newFolder("packs").toPath();
    Path rec = dir.resolve("train.rec");
    Path sidecar = dir.resolve("train.rec.manifest.json");
    List<Path> writes = List.of(rec, dir.resolve("train.idx"), dir.resolve("property"), sidecar);
    OutputGuard.files("--output", rec.toString(), "pack", sidecar, writes, List.of());
    Files.writeString(dir.resolve("property"), "10,112,112\n"); // someone else's property file
    String e = assertThrows(UserInputException.class, () -> OutputGuard.files("--output", rec.toString(), "pack", sidecar, writes, List.of()))
        .getMessage();
    assertThat(e, containsString(dir.resolve("property").toString()));
    Files.writeString(sidecar, StageOutput.toJson(StageManifest.newBuilder().setStage("pack")
        .addOutputs(dev.facebeam.proto.FileDigest.newBuilder().setPath("property")).build()));
    OutputGuard.files("--output", rec.toString(), "pack", sidecar, writes, List.of());
  }

  @Test
  public void targetsArePlainNames() {
    assertEquals("agedb_30", OutputGuard.plainName("targets", "agedb_30"));
    assertEquals("cfp-fp.v2", OutputGuard.plainName("targets", "cfp-fp.v2"));
    for (String bad : new String[] {"../../x", "/abs", "a/b", ".hidden", "..", "", "a b"}) {
      assertTrue(bad, assertThrows(UserInputException.class, () -> OutputGuard.plainName("targets", bad)).getMessage()
          .contains("not a plain name"));
    }
  }
}
