package dev.facebeam.models;

import ai.djl.nn.Block;
import java.util.List;

/**
 * The networks the seed trains, by the names its configs use (docs/training.md): {@code r18}, {@code r34},
 * {@code r50}, {@code r100} (LResNet-E-IR), {@code y1} (MobileFaceNet, GDC) and {@code mnas05}.
 */
public final class Networks {
  public static final List<String> NAMES = List.of("r18", "r34", "r50", "r100", "y1", "mnas05", "ir-small");

  private Networks() {}

  public static Block create(String name, int embeddingSize) {
    return switch (name) {
      case "r18", "r34", "r50", "r100" -> IResNet.create(Integer.parseInt(name.substring(1)), embeddingSize);
      case "y1", "mobilefacenet" -> MobileFaceNet.create(embeddingSize);
      case "mnas05" -> MnasNet.create(0.5, embeddingSize);
      // Not the seed's: one IR unit per stage, a quarter of the width; for tests and small data (ORL).
      case "ir-small" -> IResNet.create(new int[] {1, 1, 1, 1}, new int[] {16, 32, 64, 128}, embeddingSize, 0.4f);
      default -> throw new IllegalArgumentException("unknown network '" + name + "' (known: " + String.join(", ", NAMES) + ")");
    };
  }

  /** The embedding size each network's preset uses (sample_config.py). */
  public static int defaultEmbedding(String name) {
    return switch (name) {
      case "y1", "mobilefacenet" -> 128;
      case "mnas05" -> 256;
      case "ir-small" -> 128;
      default -> 512;
    };
  }
}
