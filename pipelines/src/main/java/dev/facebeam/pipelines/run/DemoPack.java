package dev.facebeam.pipelines.run;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import dev.facebeam.embed.ModelSpec;
import dev.facebeam.io.StageFiles;
import dev.facebeam.models.Networks;
import dev.facebeam.pipelines.pack.PackJob;
import dev.facebeam.proto.ModelDescriptor;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * What the demo runs on where {@code ../shared/data} is absent: a verification pack {@code demo.bin}
 * of synthetic identities (each a fixed set of coloured ellipses, each image of it shifted, lit and
 * noised differently; 200 pairs, half same, half different, alternating so every fold holds both) and
 * an untrained ir-small network with seeded weights. It shows the pipeline working end to end; its
 * accuracy says nothing about face recognition. Generated once into the work folder (a temporary
 * folder moved into place), then reused, so reruns see the same inputs and skip.
 */
final class DemoPack {
  static final String TARGET = "demo";
  static final int IDENTITIES = 30;
  static final int IMAGES = 8;
  static final int PAIRS = 200;

  /** The fixture paths that configs/demo-run.json names: only these may fall back to the generated pack. */
  static final String SHIPPED_DATASET = "../shared/data/bin";
  static final String SHIPPED_MODEL = "../shared/data/models/faceplugin/fr_feature.onnx";

  record Generated(Path dataset, Path model) {}

  private DemoPack() {}

  /** Whether a run config names exactly the shipped demo's fixtures (a user's own paths never fall back). */
  static boolean isShippedDemo(String dataset, String model) {
    return Path.of(dataset).normalize().equals(Path.of(SHIPPED_DATASET).normalize())
        && Path.of(model).normalize().equals(Path.of(SHIPPED_MODEL).normalize());
  }

  static Generated ensure(Path dir) {
    Generated g = new Generated(dir.resolve("dataset"), dir.resolve("model"));
    if (Files.isRegularFile(g.dataset().resolve(TARGET + ".bin")) && Files.isRegularFile(g.model().resolve(ModelSpec.DESCRIPTOR))) {
      return g;
    }
    try {
      StageFiles.replaceFolderAtomically(dir, tmp -> {
        Path images = Files.createDirectories(tmp.resolve("images"));
        for (int id = 0; id < IDENTITIES; id++) {
          Path folder = Files.createDirectories(images.resolve(String.format("id%02d", id)));
          for (int j = 0; j < IMAGES; j++) {
            ImageIO.write(face(id, j), "png", folder.resolve(j + ".png").toFile());
          }
        }
        StringBuilder pairs = new StringBuilder();
        for (int k = 0; k < PAIRS / 2; k++) {
          int id = k % IDENTITIES;
          int j = (k / IDENTITIES) * 2 % IMAGES;
          pairs.append(String.format("id%02d/%d.png id%02d/%d.png 1%n", id, j, id, j + 1));
          int other = (id + 1 + k % (IDENTITIES - 1)) % IDENTITIES;
          pairs.append(String.format("id%02d/%d.png id%02d/%d.png 0%n", id, (j + 2) % IMAGES, other, (j + 3) % IMAGES));
        }
        Path pairsFile = Files.writeString(tmp.resolve("pairs.txt"), pairs.toString());
        PackJob.run(PackJob.binOf(images, Files.createDirectories(tmp.resolve("dataset")).resolve(TARGET + ".bin"), pairsFile));
        writeModel(Files.createDirectories(tmp.resolve("model")));
      });
      return g;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot generate the demo pack in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Identity {@code id}'s ellipses, image {@code j}'s shift, light and noise. */
  static BufferedImage face(int id, int j) {
    Random shape = new Random(1_000 + id);
    Random view = new Random(100_000L * (id + 1) + j);
    BufferedImage img = new BufferedImage(112, 112, BufferedImage.TYPE_3BYTE_BGR);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    float light = 0.8f + 0.4f * view.nextFloat();
    int dx = view.nextInt(9) - 4;
    int dy = view.nextInt(9) - 4;
    g.setColor(shade(new Color(60 + shape.nextInt(120), 60 + shape.nextInt(120), 60 + shape.nextInt(120)), light));
    g.fillRect(0, 0, 112, 112);
    for (int e = 0; e < 7; e++) {
      Color c = new Color(shape.nextInt(256), shape.nextInt(256), shape.nextInt(256));
      int x = 15 + shape.nextInt(82);
      int y = 15 + shape.nextInt(82);
      int w = 8 + shape.nextInt(30);
      int h = 8 + shape.nextInt(30);
      g.setColor(shade(c, light));
      g.fillOval(x - w / 2 + dx, y - h / 2 + dy, w, h);
    }
    g.dispose();
    for (int y = 0; y < 112; y++) {
      for (int x = 0; x < 112; x++) {
        int rgb = img.getRGB(x, y);
        int r = clamp(((rgb >> 16) & 255) + (int) Math.round(view.nextGaussian() * 10));
        int gr = clamp(((rgb >> 8) & 255) + (int) Math.round(view.nextGaussian() * 10));
        int b = clamp((rgb & 255) + (int) Math.round(view.nextGaussian() * 10));
        img.setRGB(x, y, (r << 16) | (gr << 8) | b);
      }
    }
    return img;
  }

  /** ir-small, emb 128, weights drawn with a fixed seed; model.json says how embed preprocesses. */
  private static void writeModel(Path folder) throws IOException {
    dev.facebeam.models.DjlSettings.offline();
    Engine.getEngine("PyTorch").setRandomSeed(2048);
    Block block = Networks.create("ir-small", 128);
    try (Model m = Model.newInstance("ir-small", "PyTorch")) {
      m.setBlock(block);
      block.initialize(m.getNDManager(), DataType.FLOAT32, new Shape(1, 3, 112, 112));
      m.save(folder, "ir-small");
    }
    ModelSpec.writeDescriptor(folder.resolve(ModelSpec.DESCRIPTOR), ModelDescriptor.newBuilder()
        .setName("demo-ir-small-untrained").setEngine("PyTorch").setFile("ir-small-0000.params").setBlock("ir-small")
        .setEmbeddingSize(128).setInputSize(112).setMean(127.5f).setScale(1 / 128f).setChannelOrder("RGB").build());
  }

  private static Color shade(Color c, float light) {
    return new Color(clamp(Math.round(c.getRed() * light)), clamp(Math.round(c.getGreen() * light)), clamp(Math.round(c.getBlue() * light)));
  }

  private static int clamp(int v) {
    return Math.max(0, Math.min(255, v));
  }
}
