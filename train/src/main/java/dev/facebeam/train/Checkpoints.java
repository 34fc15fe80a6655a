package dev.facebeam.train;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import dev.facebeam.UserInputException;
import dev.facebeam.embed.BlockRegistry;
import dev.facebeam.embed.ModelSpec;
import dev.facebeam.io.StageFiles;
import dev.facebeam.proto.ModelDescriptor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Model folders written during training (docs/training.md) and read back by {@code embed} and by
 * {@code --pretrained}: the embedding network's parameters ({@code <network>-0000.params}, DJL's
 * format) and {@code model.json} naming the network; with ckpt_embedding = false also
 * {@code fc7.params}, the classifier, so training can resume or fine-tune. Written to a temporary
 * folder and moved into place, so a crash never leaves half a checkpoint.
 */
final class Checkpoints {
  static final String FC7 = "fc7.params";

  private Checkpoints() {}

  static Path save(Path folder, TrainConfig c, TrainingNet net, Fc7Shards shards, boolean withClassifier) throws IOException {
    StageFiles.replaceFolderAtomically(folder, tmp -> {
      try (Model m = Model.newInstance(c.network(), "PyTorch")) {
        m.setBlock(net.embedding);
        m.save(tmp, c.network());
      }
      ModelSpec.writeDescriptor(tmp.resolve(ModelSpec.DESCRIPTOR), ModelDescriptor.newBuilder()
          .setName(c.network() + "-" + c.loss() + "-" + c.dataset()).setEngine("PyTorch").setFile(c.network() + "-0000.params")
          .setBlock(c.network()).setEmbeddingSize(c.embSize()).setInputSize(112).setMean(127.5f).setScale(1 / 128f)
          .setChannelOrder("RGB").build());
      if (withClassifier && net.fc7Weight != null) {
        NDList fc7 = new NDList(net.fc7Weight.getArray());
        if (net.fc7Bias != null) {
          fc7.add(net.fc7Bias.getArray());
        }
        Files.write(tmp.resolve(FC7), fc7.encode());
      } else if (withClassifier && shards != null) {
        // One whole fc7, whatever the shard count: a checkpoint loads into any sharding, or none.
        try (NDManager m = NDManager.newBaseManager("PyTorch"); NDList fc7 = shards.whole(m)) {
          Files.write(tmp.resolve(FC7), fc7.encode());
        }
      }
    });
    return folder;
  }

  /**
   * Starts from a checkpoint (mx.model.load_checkpoint + allow_missing): every parameter the folder
   * holds must match the network's shape (a mismatch is an error naming it); parameters it lacks,
   * such as fc7 from an embedding-only checkpoint, keep their fresh initialisation.
   */
  static String loadPretrained(Path folder, TrainingNet net, NDManager manager) {
    return loadPretrained(folder, net, null, manager);
  }

  /** The same, loading a saved fc7 into {@code shards} when the classifier is sharded. */
  static String loadPretrained(Path folder, TrainingNet net, Fc7Shards shards, NDManager manager) {
    ModelSpec spec = ModelSpec.resolve(folder, ModelSpec.Overrides.NONE);
    if (!spec.isDjlNative()) {
      throw new UserInputException(folder.toString(), "--pretrained needs a model folder written by train (model.json naming its network)");
    }
    Block source = BlockRegistry.create(spec.block(), spec.embeddingSize());
    int copied = 0;
    try (Model m = Model.newInstance("pretrained", "PyTorch")) {
      m.setBlock(source);
      String file = Path.of(spec.modelPath()).getFileName().toString();
      m.load(folder, file.replaceAll("-\\d{4}\\.params$", ""));
      Map<String, Parameter> from = new LinkedHashMap<>();
      source.getParameters().forEach(p -> from.put(p.getKey(), p.getValue()));
      for (var p : net.embedding.getParameters()) {
        Parameter src = from.get(p.getKey());
        if (src == null) {
          continue;
        }
        copy(folder, p.getKey(), src.getArray(), p.getValue());
        copied++;
      }
    } catch (IOException | ai.djl.MalformedModelException e) {
      throw new UserInputException(folder.toString(), "cannot load the pretrained model: " + e.getMessage(), e);
    }
    boolean classifier = net.fc7Weight != null || shards != null;
    String fc7Note = classifier ? "fc7 initialised fresh" : "no classifier in this loss";
    Path fc7 = folder.resolve(FC7);
    if (classifier && Files.isRegularFile(fc7)) {
      try {
        NDList list = NDList.decode(manager, Files.readAllBytes(fc7));
        if (shards != null) {
          shards.load(folder, list.get(0), list.size() > 1 ? list.get(1) : null);
        } else {
          copy(folder, "fc7_weight", list.get(0), net.fc7Weight);
          if (net.fc7Bias != null && list.size() > 1) {
            copy(folder, "fc7_bias", list.get(1), net.fc7Bias);
          }
        }
        fc7Note = "fc7 loaded";
      } catch (IOException e) {
        throw new UserInputException(fc7.toString(), "cannot read the classifier: " + e.getMessage(), e);
      }
    }
    return copied + " parameters loaded from " + folder + ", " + fc7Note;
  }

  private static void copy(Path folder, String name, NDArray from, Parameter to) {
    NDArray target = to.getArray();
    requireShape(folder, name, from.getShape(), target.getShape());
    target.set(from.toType(target.getDataType(), false).toByteBuffer());
  }

  /** A checkpoint's parameter must have the shape the network being trained expects; the error names it. */
  static void requireShape(Path folder, String name, ai.djl.ndarray.types.Shape saved, ai.djl.ndarray.types.Shape expected) {
    if (!saved.equals(expected)) {
      throw new UserInputException(folder.toString(), "parameter " + name + " has shape " + saved + " in the checkpoint but "
          + expected + " in the network being trained");
    }
  }
}
