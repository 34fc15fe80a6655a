package dev.facebeam.train;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.facebeam.codec.recordio.RecordIoReader;
import dev.facebeam.models.loss.SemiHardMining;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Triplet batches as {@code triplet_image_iter.py} builds them (docs/training.md): identities shuffled, up to
 * {@code images_per_identity} images each fill a bag of {@code triplet_bag_size}; the bag is embedded
 * with the current network (inference, no mirror), semi-hard triplets are mined and shuffled, and
 * each device's share of a batch is laid out [anchors; positives; negatives].
 */
final class TripletBatches {
  private final FaceData data;
  private final TrainConfig c;
  private final TrainingNet net;
  private final NDManager manager;
  private final Device device;
  private final int devices;
  private final Map<Integer, List<FaceData.Item>> byId = new LinkedHashMap<>();
  private final Deque<BatchStream.Batch> ready = new ArrayDeque<>();
  private int round;

  TripletBatches(FaceData data, TrainConfig c, TrainingNet net, NDManager manager, Device device, int devices) {
    this.data = data;
    this.c = c;
    this.net = net;
    this.manager = manager;
    this.device = device;
    this.devices = devices;
    data.items.forEach(it -> byId.computeIfAbsent(it.label(), k -> new ArrayList<>()).add(it));
  }

  BatchStream.Batch next() {
    for (int tries = 0; ready.isEmpty(); tries++) {
      if (tries == 20) {
        throw new IllegalStateException("20 bags in a row gave no semi-hard triplet (alpha " + c.tripletAlpha() + "): the bag is too small"
            + " or the embedding has collapsed");
      }
      mine();
    }
    return ready.poll();
  }

  private void mine() {
    Random r = new Random(c.seed() * 31 + round);
    List<Integer> ids = new ArrayList<>(byId.keySet());
    Collections.shuffle(ids, r);
    List<FaceData.Item> bag = new ArrayList<>();
    for (int id : ids) {
      List<FaceData.Item> imgs = new ArrayList<>(byId.get(id));
      Collections.shuffle(imgs, r);
      for (FaceData.Item it : imgs.subList(0, Math.min(c.imagesPerIdentity(), imgs.size()))) {
        if (bag.size() < c.tripletBagSize()) {
          bag.add(it);
        }
      }
    }
    int len = 3 * 112 * 112;
    float[] pixels = new float[bag.size() * len];
    try (RecordIoReader reader = data.reader()) {
      for (int i = 0; i < bag.size(); i++) {
        data.decode(reader, bag.get(i), false, pixels, i * len);
      }
    }
    float[][] emb = new float[bag.size()][];
    int[] label = new int[bag.size()];
    int step = 64;
    for (int start = 0; start < bag.size(); start += step) {
      int b = Math.min(step, bag.size() - start);
      float[] part = java.util.Arrays.copyOfRange(pixels, start * len, (start + b) * len);
      float[][] rows = Verifier.forward(net.embedding, manager, device, part, b);
      for (int i = 0; i < b; i++) {
        dev.facebeam.codec.features.UnitVector.normalise(rows[i], 0, rows[i].length, "triplet bag row " + (start + i));
        emb[start + i] = rows[i];
        label[start + i] = bag.get(start + i).label();
      }
    }
    List<SemiHardMining.Triplet> triplets = SemiHardMining.mine(emb, label, (float) c.tripletAlpha(), (float) c.tripletMaxAp(), r);
    Collections.shuffle(triplets, r);
    int per = c.perBatchSize() / 3;
    for (int start = 0; start + per * devices <= triplets.size(); start += per * devices) {
      float[] images = new float[per * devices * 3 * len];
      float[] labels = new float[per * devices * 3];
      int row = 0;
      for (int d = 0; d < devices; d++) {
        List<SemiHardMining.Triplet> mine = triplets.subList(start + d * per, start + (d + 1) * per);
        for (int role = 0; role < 3; role++) {
          for (SemiHardMining.Triplet t : mine) {
            int src = role == 0 ? t.anchor() : role == 1 ? t.positive() : t.negative();
            System.arraycopy(pixels, src * len, images, row * len, len);
            labels[row++] = label[src];
          }
        }
      }
      ready.add(new BatchStream.Batch(images, labels, round));
    }
    round++;
  }
}
