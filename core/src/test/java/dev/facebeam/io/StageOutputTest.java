package dev.facebeam.io;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.facebeam.UserInputException;
import dev.facebeam.proto.StageManifest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The atomic output's temporaries and lock (issue 23): only ours are removed, one writer at a time, any legal name. */
public class StageOutputTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  private static StageManifest manifest() {
    return StageManifest.newBuilder().setStage("ingest").build();
  }

  private static List<String> names(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  public void userFoldersNamedLikeTemporariesAreNeverRemoved() throws Exception {
    Path root = tmp.getRoot().toPath();
    Path out = root.resolve("out");
    for (String name : List.of(".out.inprogress-backup", ".out.replaced-1234")) {
      Path users = Files.createDirectories(root.resolve(name));
      Files.writeString(users.resolve("thesis.tex"), "mine");
      UserInputException e = assertThrows(UserInputException.class, () -> StageOutput.begin(out));
      assertTrue(e.getMessage(), e.getMessage().startsWith(users + ": is named like a facebeam temporary of " + out));
      assertEquals("mine", Files.readString(users.resolve("thesis.tex")));
      assertEquals(List.of(name), names(root).stream().filter(n -> !n.startsWith("kept-")).toList()); // no lock, no work folder left
      Files.move(users, root.resolve("kept-" + name.substring(1)));
    }
  }

  @Test
  public void ourCrashLeftoversAreRemovedAndTheMarkerDoesNotReachTheOutput() throws Exception {
    Path root = tmp.getRoot().toPath();
    Path out = root.resolve("out");
    StageOutput crashed = StageOutput.begin(out);
    Files.writeString(crashed.work().resolve("part-00000-of-00001.pb"), "half");
    crashed.lockForTest().close(); // the process died: its lock went with it, its folder stayed
    StageOutput again = StageOutput.begin(out);
    assertFalse(Files.exists(crashed.work()));
    Files.writeString(again.work().resolve("a.txt"), "a");
    again.commit(manifest());
    assertEquals(List.of("a.txt", "manifest.json"), names(out));
    assertEquals(List.of("out"), names(root));
    // Killed while the work folder was being made (before its rename): an empty or marker-only ".new-" folder goes too.
    Files.createDirectories(root.resolve(".out.new-dead1"));
    Files.createDirectories(root.resolve(".out.new-dead2"));
    Files.writeString(root.resolve(".out.new-dead2/.facebeam-temporary"), "facebeam temporary of " + out + " (pid 1)\n");
    StageOutput.begin(out).abort();
    assertEquals(List.of("out"), names(root));
    // Replacing an earlier output leaves nothing beside it either.
    StageOutput third = StageOutput.begin(out);
    third.commit(manifest());
    assertEquals(List.of("manifest.json"), names(out));
    assertEquals(List.of("out"), names(root));
  }

  @Test
  public void aSecondProcessWritingTheSameOutputGetsOneLineWithThePid() throws Exception {
    Path out = tmp.getRoot().toPath().resolve("shared-out");
    Process other = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), StageOutputHolder.class.getName(), out.toString())
        .redirectErrorStream(true).start();
    try {
      String line = new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8)).readLine();
      assertTrue(line, line != null && line.startsWith("held "));
      String pid = line.substring(5);
      UserInputException e = assertThrows(UserInputException.class, () -> StageOutput.begin(out));
      assertEquals(out + ": is being written by another facebeam process (pid " + pid + "); wait for it to finish, or name another output",
          e.getMessage());
    } finally {
      other.getOutputStream().close();
      assertEquals(0, other.waitFor());
    }
    StageOutput mine = StageOutput.begin(out); // free again once the other one is done
    mine.commit(manifest());
    assertEquals(List.of("shared-out"), names(tmp.getRoot().toPath()));
  }

  @Test
  public void aSecondWriterInThisProcessIsRefusedToo() throws Exception {
    Path out = tmp.getRoot().toPath().resolve("out");
    StageOutput first = StageOutput.begin(out);
    UserInputException e = assertThrows(UserInputException.class, () -> StageOutput.begin(out));
    assertTrue(e.getMessage(), e.getMessage().contains("is being written by another facebeam process"));
    first.abort();
    assertEquals(List.of(), names(tmp.getRoot().toPath()));
  }

  @Test
  public void aLongButLegalNameIsWritten() throws Exception {
    String name = "r".repeat(250) + "é"; // 252 bytes: the hidden sibling could not carry it whole
    Path out = tmp.getRoot().toPath().resolve(name);
    StageOutput o = StageOutput.begin(out);
    assertTrue(o.work().getFileName().toString().getBytes(StandardCharsets.UTF_8).length <= 255);
    o.commit(manifest());
    assertEquals(List.of(name), names(tmp.getRoot().toPath()));
  }

  @Test
  public void aFailedBeginLeavesNoFolderItMade() throws Exception {
    Path out = tmp.getRoot().toPath().resolve("a/b/c/out");
    StageOutput first = StageOutput.begin(out);
    first.abort();
    // The parents stay (the first begin made them and succeeded); a refused begin below new ones makes none.
    Path deep = tmp.getRoot().toPath().resolve("x/y/z/out");
    Files.createDirectories(tmp.getRoot().toPath().resolve("x/y/z/.out.inprogress-user"));
    assertThrows(UserInputException.class, () -> StageOutput.begin(deep));
    assertTrue(Files.isDirectory(deep.getParent()));
    Path fresh = tmp.getRoot().toPath().resolve("p/q/r/out");
    StageOutput held = StageOutput.begin(tmp.getRoot().toPath().resolve("p/held"));
    try {
      Files.createDirectories(fresh.getParent().getParent());
      Files.writeString(fresh.getParent().getParent().resolve("file"), "x");
      assertThrows(UserInputException.class, () -> StageOutput.begin(fresh.getParent().getParent().resolve("file/out")));
    } finally {
      held.abort();
    }
  }

  @Test
  public void anOutputBelowAFileIsOneLineFromTheGuard() throws Exception {
    Path file = Files.writeString(tmp.getRoot().toPath().resolve("file.txt"), "x");
    UserInputException e = assertThrows(UserInputException.class,
        () -> OutputGuard.folder("--output", file + "/sub", "ingest", List.of()));
    assertEquals("--output=" + file + "/sub: " + file + " is a file, not a folder: nothing can be written below it", e.getMessage());
    UserInputException longName = assertThrows(UserInputException.class,
        () -> OutputGuard.folder("--output", tmp.getRoot() + "/" + "n".repeat(256), "ingest", List.of()));
    assertTrue(longName.getMessage(), longName.getMessage().endsWith("is 256 bytes long; file systems allow 255"));
  }

  /** Issue 23: an edited manifest ("written": 19 of 20) was believed by the stage that read it. */
  @Test
  public void aManifestWhoseCountsDisagreeWithItsFilesIsRefused() throws Exception {
    Path out = tmp.getRoot().toPath().resolve("ingest-out");
    StageOutput o = StageOutput.begin(out);
    List<dev.facebeam.proto.FaceRecord> faces = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      faces.add(dev.facebeam.proto.FaceRecord.newBuilder().setId(String.format("bin-%09d", i)).build());
    }
    StageFiles.writeFramed(o.work().resolve("part-00000-of-00001.pb"), faces);
    Files.writeString(o.work().resolve("rejects.jsonl"), "{\"source\": \"a\", \"reason\": \"r\", \"id\": \"x\"}\n");
    StageManifest.Builder m = StageManifest.newBuilder().setStage("ingest").setRead(21).setWritten(20).setRejected(1)
        .addShards("part-00000-of-00001.pb");
    for (String f : List.of("part-00000-of-00001.pb", "rejects.jsonl")) {
      m.addOutputs(Digests.of(o.work().resolve(f), f, Long.MAX_VALUE));
    }
    o.commit(m.build());
    assertEquals(20, StageOutput.requireIntact(out).getWritten());
    Path manifest = out.resolve("manifest.json");
    String good = Files.readString(manifest);
    Files.writeString(manifest, good.replace("\"written\": 20", "\"written\": 19").replace("\"read\": 21", "\"read\": 20"));
    UserInputException e = assertThrows(UserInputException.class, () -> StageOutput.requireIntact(out));
    assertEquals(manifest + ": says written 19 but its 1 shards hold 20 records: edited or damaged; rerun the ingest stage into this folder",
        e.getMessage());
    Files.writeString(manifest, good.replace("\"rejected\": 1", "\"rejected\": 2").replace("\"read\": 21", "\"read\": 22"));
    e = assertThrows(UserInputException.class, () -> StageOutput.requireIntact(out));
    assertTrue(e.getMessage(), e.getMessage().contains("says rejected 2 but rejects.jsonl holds 1 rejects"));
    Files.writeString(manifest, good.replace("\"read\": 21", "\"read\": 25"));
    e = assertThrows(UserInputException.class, () -> StageOutput.requireIntact(out));
    assertTrue(e.getMessage(), e.getMessage().contains("says read 25 but written 20 + rejected 1"));
  }
}
