package dev.facebeam.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * No command deletes or overwrites what it did not create (docs/outputs.md). Fixture-free: every
 * command is refused at its output path before it reads anything, so the inputs need not be real.
 */
public class OutputSafetyTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  private Path user;
  private byte[] notes;
  private Path dataset;
  private Path model;
  private Path pack;

  @Before
  public void aUsersFolderWithAFileInIt() throws IOException {
    user = tmp.newFolder("my-thesis").toPath();
    notes = "chapter 3: results\n".getBytes(StandardCharsets.UTF_8);
    Files.write(user.resolve("notes.txt"), notes);
    dataset = tmp.newFolder("dataset").toPath();
    model = Files.writeString(tmp.getRoot().toPath().resolve("model.onnx"), "not really a model");
    pack = Files.writeString(tmp.getRoot().toPath().resolve("pack.bin"), "not really a pack");
  }

  private record Run(int status, String err) {}

  private static Run run(List<String> args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Main.run(args.toArray(String[]::new), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(status, err.toString(StandardCharsets.UTF_8));
  }

  /** Each command with its output option last, so the test can point it anywhere. */
  private List<List<String>> commands() throws IOException {
    Path runConfig = Files.writeString(tmp.getRoot().toPath().resolve("run.json"), "{\"dataset\": \"" + dataset
        + "\", \"targets\": [\"lfw\"], \"model\": \"" + model + "\"}");
    Path trainConfig = Path.of("../configs/ir-small-softmax-orl.json").toAbsolutePath();
    Path records = tmp.getRoot().toPath().resolve("records");
    return List.of(
        List.of("ingest", "--input=" + pack, "--runner=DirectRunner", "--output="),
        List.of("ingest", "--input=" + pack, "--runner=DirectRunner", "--output=" + tmp.getRoot().toPath().resolve("i"), "--exportImages="),
        List.of("embed", "--records=" + records, "--model=" + model, "--output="),
        List.of("embed", "--records=" + records, "--model=" + model, "--output=" + tmp.getRoot().toPath().resolve("e"),
            "--exportDevkit="),
        List.of("verify", "--embeddings=" + records, "--output="),
        List.of("evaluate", "--dataset=" + dataset, "--model=" + model, "--output="),
        List.of("megaface", "--probes=" + records, "--distractors=" + records, "--output="),
        List.of("ijb", "--input=" + dataset, "--featuresNpy=" + model, "--output="),
        List.of("pack", "--input=" + dataset, "--output="),
        List.of("run", "--config=" + runConfig, "--workdir="),
        List.of("train", "--config=" + trainConfig, "--dataset=" + dataset, "--output="),
        List.of("lr-probe", "--config=" + trainConfig, "--dataset=" + dataset, "--output="),
        // The results store, where every scoring command adds its numbers, and the results report.
        List.of("verify", "--embeddings=" + records, "--output=" + tmp.getRoot().toPath().resolve("v"), "--results="),
        List.of("evaluate", "--dataset=" + dataset, "--model=" + model, "--output=" + tmp.getRoot().toPath().resolve("ev"), "--results="),
        List.of("megaface", "--probes=" + records, "--distractors=" + records, "--output=" + tmp.getRoot().toPath().resolve("m"),
            "--results="),
        List.of("ijb", "--input=" + dataset, "--featuresNpy=" + model, "--output=" + tmp.getRoot().toPath().resolve("ij"), "--results="),
        List.of("run", "--config=" + runConfig, "--workdir=" + tmp.getRoot().toPath().resolve("w"), "--results="),
        List.of("results", "--results=" + store(), "--report="),
        List.of("export", "--model=" + records, "--output="));
  }

  /** An empty results store, as the scoring commands leave one. */
  private Path store() throws IOException {
    Path store = tmp.getRoot().toPath().resolve("store");
    Files.createDirectories(store.resolve("records"));
    Files.writeString(store.resolve("manifest.json"), "{\"stage\": \"results\"}\n");
    return store;
  }

  private static List<String> pointedAt(List<String> command, String value) {
    List<String> args = new ArrayList<>(command);
    args.set(args.size() - 1, args.get(args.size() - 1) + value);
    return args;
  }

  @Test
  public void everyCommandRefusesAUsersFolderAndLeavesItsFileAsItWas() throws IOException {
    for (List<String> command : commands()) {
      boolean file = command.get(0).equals("pack") || command.get(0).equals("export");
      Path target = file ? user.resolve("notes.txt") : user;
      // pack writes a file: pointing it at the user's file, or at a .bin beside it in their folder, is refused too.
      Run r = run(pointedAt(command, target.toString()));
      assertNotEquals(command + " must fail: " + r.err(), 0, r.status());
      assertThat(command.toString(), r.err(), containsString(target.toString()));
      assertArrayEquals(command.toString(), notes, Files.readAllBytes(user.resolve("notes.txt")));
      assertEquals(command + " left something in the user's folder", List.of("notes.txt"), list(user));
    }
  }

  @Test
  public void everyCommandRefusesAnEmptyOutputAndTheWorkingDirectory() throws IOException {
    Path cwd = Path.of("").toAbsolutePath();
    List<String> before = list(cwd);
    for (List<String> command : commands()) {
      for (String value : command.get(0).equals("pack") ? List.of("", ".bin") : command.get(0).equals("export") ? List.of("", ".onnx")
          : List.of("", ".", "..")) {
        Run r = run(pointedAt(command, value));
        assertNotEquals(command + value + " must fail", 0, r.status());
        assertEquals(command + value + " changed the working directory", before, list(cwd));
      }
    }
  }

  @Test
  public void anOutputNamingAnInputOrAFolderHoldingItIsRefused() throws IOException {
    Run itself = run(List.of("ingest", "--input=" + pack, "--runner=DirectRunner", "--output=" + pack));
    assertEquals(1, itself.status());
    assertThat(itself.err(), containsString("is an input of this command"));
    assertEquals("not really a pack", Files.readString(pack));
    Run parent = run(List.of("ingest", "--input=" + pack, "--runner=DirectRunner", "--output=" + pack.getParent()));
    assertEquals(1, parent.status());
    assertThat(parent.err(), containsString("holds an input of this command"));
    Run packOverInput = run(List.of("pack", "--input=" + pack, "--output=" + pack));
    assertEquals(1, packOverInput.status());
    assertEquals("not really a pack", Files.readString(pack));
  }

  @Test
  public void aRunConfigTargetMustBeAPlainName() throws IOException {
    for (String target : List.of("../../x", "/tmp/elsewhere", ".hidden", "a/b")) {
      Path config = Files.writeString(tmp.getRoot().toPath().resolve("t.json"), "{\"dataset\": \"" + dataset
          + "\", \"targets\": [\"" + target + "\"], \"model\": \"" + model + "\"}");
      Path work = tmp.getRoot().toPath().resolve("work");
      Run r = run(List.of("run", "--config=" + config, "--workdir=" + work));
      assertEquals(target, 1, r.status());
      assertThat(r.err(), containsString("is not a plain name"));
      assertEquals(false, Files.exists(work));
    }
  }

  private static List<String> list(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
