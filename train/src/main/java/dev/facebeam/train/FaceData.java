package dev.facebeam.train;

import dev.facebeam.UserInputException;
import dev.facebeam.codec.image.ImageCodec;
import dev.facebeam.codec.image.RgbPixels;
import dev.facebeam.codec.recordio.IrHeader;
import dev.facebeam.codec.recordio.RecordIoDataset;
import dev.facebeam.codec.recordio.RecordIoReader;
import dev.facebeam.embed.Preprocessing;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * The training images of an InsightFace dataset folder (docs/formats.md): image keys and class labels
 * from the header and identity records (or, for a shuffled rec, from every image header), checked
 * against {@code num_classes}; images decoded to (x − 127.5)/128 CHW with a random mirror.
 */
final class FaceData {
  /** One image: its RecordIO key and class. */
  record Item(long key, int label) {}

  final Path dir;
  final List<Item> items;
  final int classes;
  private final RecordIoDataset dataset;

  private FaceData(Path dir, RecordIoDataset dataset, List<Item> items, int classes) {
    this.dir = dir;
    this.dataset = dataset;
    this.items = items;
    this.classes = classes;
  }

  /** {@code numClasses} 0 = the property file's. */
  static FaceData open(Path dir, int numClasses) {
    if (!java.nio.file.Files.exists(dir)) {
      throw new UserInputException(dir.toString(), "no such dataset folder (train.rec, train.idx, property)");
    }
    RecordIoDataset ds = RecordIoDataset.open(dir); // a folder: property required, with a clear error
    int classes = numClasses > 0 ? numClasses : ds.property().numClasses();
    List<Item> items = new ArrayList<>();
    try (RecordIoReader r = new RecordIoReader(ds.rec())) {
      if (ds.layout().layout() == RecordIoDataset.Layout.INSIGHTFACE) {
        for (long k = ds.layout().firstIdentityKey(); k < ds.layout().endIdentityKey(); k++) {
          long off = ds.index().offsetOf(k);
          if (off < 0) {
            throw new UserInputException(ds.idx() + "#key=" + k, "identity record missing from the index");
          }
          IrHeader h = IrHeader.unpack(r.readAt(off).payload(), r.where(off) + "#key=" + k).header();
          if (h.flag() < 2 || h.labels()[0] < 1 || h.labels()[1] < h.labels()[0] || h.labels()[1] > ds.layout().firstIdentityKey()) {
            throw new UserInputException(r.where(off) + "#key=" + k, "identity record without a valid [start, end) image range");
          }
          int label = (int) (k - ds.layout().firstIdentityKey());
          for (long key = (long) h.labels()[0]; key < (long) h.labels()[1]; key++) {
            items.add(new Item(key, label));
          }
        }
      } else {
        for (int i = 0; i < ds.index().size(); i++) {
          long off = ds.index().offset(i);
          IrHeader h = IrHeader.unpack(r.readAt(off).payload(), r.where(off)).header();
          items.add(new Item(ds.index().key(i), (int) h.classLabel()));
        }
      }
    }
    for (Item it : items) {
      if (it.label() < 0 || it.label() >= classes) {
        throw new UserInputException(ds.rec() + "#key=" + it.key(), "class label " + it.label() + " is outside [0, num_classes = " + classes + ")");
      }
    }
    if (items.isEmpty()) {
      throw new UserInputException(ds.rec().toString(), "no training images");
    }
    return new FaceData(dir, ds, items, classes);
  }

  /** The epoch's order: the items shuffled with a seed of (seed, epoch), as reset() does each epoch. */
  List<Item> epoch(long seed, int epoch) {
    List<Item> order = new ArrayList<>(items);
    Collections.shuffle(order, new Random(seed * 1_000_003L + epoch));
    return order;
  }

  /** Decodes one image into {@code out} at {@code offset}; mirrored when {@code mirror}. */
  void decode(RecordIoReader reader, Item it, boolean mirror, float[] out, int offset) {
    long off = dataset.index().offsetOf(it.key());
    if (off < 0) {
      throw new UserInputException(dataset.idx() + "#key=" + it.key(), "image record missing from the index");
    }
    String where = reader.where(off) + "#key=" + it.key();
    RgbPixels px;
    try {
      px = ImageCodec.decode(IrHeader.unpack(reader.readAt(off).payload(), where).payload());
    } catch (dev.facebeam.codec.image.ImageDecodeException e) {
      throw new UserInputException(where, "cannot decode the training image: " + e.getMessage(), e);
    }
    Preprocessing.INSIGHTFACE.write(px, mirror, out, offset);
  }

  RecordIoReader reader() {
    return new RecordIoReader(dataset.rec());
  }

  /** The mirror coin for an image, fixed by (seed, epoch, position) so threads cannot change it. */
  static boolean mirror(long seed, int epoch, long position) {
    return new SplittableRandom(seed ^ (epoch * 0x9E3779B97F4A7C15L) ^ (position * 0xC2B2AE3D27D4EB4FL)).nextBoolean();
  }
}
