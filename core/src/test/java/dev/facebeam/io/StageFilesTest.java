package dev.facebeam.io;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.facebeam.UserInputException;
import dev.facebeam.proto.StageManifest;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class StageFilesTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void anOutputsDigestIsTakenAsItIsWrittenAndTheSidecarGoesAway() throws Exception {
    Path dir = tmp.newFolder().toPath();
    Path out = dir.resolve("part-00000-of-00001.pb");
    StageFiles.writeOutputAtomically(out, o -> o.write("abc".getBytes(StandardCharsets.US_ASCII)));
    Path sidecar = Digests.sidecar(out);
    assertTrue(Digests.isSidecar(sidecar));
    // FIPS 180-2's example: SHA-256("abc").
    String abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    assertEquals(abc + " 3\n", Files.readString(sidecar));
    assertEquals(abc, Digests.ofOutput(out, "x").getSha256());
    assertTrue("the sidecar is used once and removed", !Files.exists(sidecar));
    assertEquals(abc, Digests.ofOutput(out, "x").getSha256()); // no sidecar: hashed
    // A sidecar that does not name the file's present size (the file replaced since) is not believed.
    StageFiles.writeOutputAtomically(out, o -> o.write("abc".getBytes(StandardCharsets.US_ASCII)));
    Files.writeString(out, "abcd");
    assertEquals(Digests.sha256(out), Digests.ofOutput(out, "x").getSha256());
    assertEquals(4, Digests.ofOutput(out, "x").getBytes());
    assertTrue(!Files.exists(sidecar));
  }

  @Test
  public void aFailedWriteLeavesTheEarlierFileOrFolderAndNoTemporary() throws Exception {
    Path dir = tmp.newFolder().toPath();
    Path file = Files.writeString(dir.resolve("report.json"), "earlier");
    java.io.IOException boom = assertThrows(java.io.IOException.class, () -> StageFiles.writeAtomically(file, out -> {
      out.write("half of the new one".getBytes(StandardCharsets.UTF_8));
      throw new java.io.IOException("disk full");
    }));
    assertEquals("disk full", boom.getMessage());
    assertEquals("earlier", Files.readString(file));
    Path folder = Files.createDirectories(dir.resolve("model-0001"));
    Files.writeString(folder.resolve("model.json"), "earlier");
    assertThrows(IllegalStateException.class, () -> StageFiles.replaceFolderAtomically(folder, at -> {
      Files.writeString(at.resolve("model.json"), "new");
      throw new IllegalStateException("crashed");
    }));
    assertEquals("earlier", Files.readString(folder.resolve("model.json")));
    try (var left = Files.list(dir)) {
      assertEquals(List.of("model-0001", "report.json"), left.map(p -> p.getFileName().toString()).sorted().toList());
    }
    // And when it succeeds: the new content, in place of the old, nothing beside it.
    StageFiles.replaceFolderAtomically(folder, at -> Files.writeString(at.resolve("model.json"), "new"));
    StageFiles.writeAtomically(file, "new");
    assertEquals("new", Files.readString(folder.resolve("model.json")));
    assertEquals("new", Files.readString(file));
    try (var left = Files.list(dir)) {
      assertEquals(2, left.count());
    }
  }

  @Test
  public void manifestCountsAreJsonNumbersAndZeroIsWritten() throws Exception {
    String json = StageOutput.toJson(StageManifest.newBuilder().setStage("ingest").setRead(20).setWritten(20)
        .addOutputs(dev.facebeam.proto.FileDigest.newBuilder().setPath("a.pb").setBytes(12).setSha256("ab")).build());
    JsonObject o = JsonParser.parseString(json).getAsJsonObject();
    assertTrue(o.get("read").getAsJsonPrimitive().isNumber());
    assertEquals(20, o.get("read").getAsLong());
    assertTrue("rejected is written when zero: " + json, o.has("rejected"));
    assertTrue(o.get("rejected").getAsJsonPrimitive().isNumber());
    assertEquals(0, o.get("rejected").getAsLong());
    assertEquals(12, o.getAsJsonArray("outputs").get(0).getAsJsonObject().get("bytes").getAsJsonPrimitive().getAsLong());
    assertTrue(o.getAsJsonArray("outputs").get(0).getAsJsonObject().get("bytes").getAsJsonPrimitive().isNumber());
    // And it reads back.
    Path dir = tmp.newFolder().toPath();
    Files.writeString(dir.resolve(StageOutput.MANIFEST), json);
    assertEquals(20, StageOutput.readManifest(dir).getWritten());
  }

  @Test
  public void aShardCutShortOrChangedIsCaughtAgainstTheManifestNamingIt() throws Exception {
    Path dir = tmp.newFolder("emb").toPath();
    Path shard = Files.write(dir.resolve("part-00000-of-00001.pb"), new byte[] {3, 1, 2, 3, 2, 9, 9});
    Files.writeString(dir.resolve(StageOutput.MANIFEST), StageOutput.toJson(StageManifest.newBuilder().setStage("embed")
        .addOutputs(Digests.of(shard, shard.getFileName().toString(), Long.MAX_VALUE)).build()));
    assertEquals("embed", StageOutput.requireIntact(dir).getStage());
    Files.write(shard, new byte[] {3, 1, 2, 3, 2, 9});
    String cut = assertThrows(UserInputException.class, () -> StageOutput.requireIntact(dir)).getMessage();
    assertThat(cut, containsString(shard.toString()));
    assertThat(cut, containsString("has 6 bytes but manifest.json says 7"));
    Files.write(shard, new byte[] {3, 1, 2, 3, 2, 9, 8});
    assertThat(assertThrows(UserInputException.class, () -> StageOutput.requireIntact(dir)).getMessage(), containsString("SHA-256 differs"));
    Files.delete(shard);
    assertThat(assertThrows(UserInputException.class, () -> StageOutput.requireIntact(dir)).getMessage(), containsString("missing"));
  }

  @Test
  public void textThatIsNotUtf8IsAnErrorNamingTheLine() throws Exception {
    Path list = tmp.getRoot().toPath().resolve("facescrub_lst");
    byte[] latin1 = "Person_1/a.png\r\nPerson_2/b.png\nJos\u00e9/c.png\n".getBytes(StandardCharsets.ISO_8859_1);
    Files.write(list, latin1);
    UserInputException e = assertThrows(UserInputException.class, () -> TextFiles.readLines(list));
    assertThat(e.getMessage(), containsString("facescrub_lst:3"));
    assertThat(e.getMessage(), containsString("byte 0xE9 at column 4"));
    Files.writeString(list, "Person_1/a.png\r\nPerson_2/b.png\nJos\u00e9/c.png");
    assertEquals(List.of("Person_1/a.png", "Person_2/b.png", "Jos\u00e9/c.png"), TextFiles.readLines(list));
    // Read from the middle of a file, lines keep their numbers.
    try (TextFiles.Lines lines = new TextFiles.Lines(new ByteArrayInputStream(new byte[] {'o', 'k', '\n', (byte) 0xC3, '\n'}), "x.lst", 41)) {
      assertEquals("ok", lines.next());
      assertThat(assertThrows(UserInputException.class, lines::next).getMessage(), containsString("x.lst:42"));
    }
  }
}
