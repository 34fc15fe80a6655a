package dev.facebeam.train;

import ai.djl.Device;
import dev.facebeam.UserInputException;
import dev.facebeam.config.Options;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/**
 * Where a run trains: one replica per listed entry, each taking an equal share of the global batch
 * (per_batch_size × replicas), as the seed's data-parallel mode gives each GPU its own share. A device
 * listed twice ({@code cpu,cpu}, {@code gpu:0,gpu:0}) holds two replicas: their shares are forwarded
 * one after the other (each with its own batch-norm statistics) and their gradients add up on that
 * device, so a G-GPU recipe runs unchanged on fewer devices. DJL's trainer gets the distinct devices
 * and sums the gradients across them.
 */
record TrainDevices(List<Device> replicas) {
  TrainDevices {
    replicas = List.copyOf(replicas);
    if (replicas.isEmpty()) {
      throw new UserInputException("devices", "no device given (cpu, gpu, gpu:K)");
    }
  }

  /** {@code cpu}; {@code gpu} (every visible GPU); {@code gpu:0,gpu:1}; a device named twice is two replicas. */
  static TrainDevices parse(String spec, int gpus) {
    List<Device> out = new ArrayList<>();
    for (String part : Options.list(spec)) {
      String s = part.toLowerCase(Locale.ROOT);
      if (s.equals("cpu")) {
        out.add(Device.cpu());
      } else if (s.equals("gpu")) {
        if (gpus == 0) {
          throw new UserInputException("devices", "'gpu' asked for, but the PyTorch engine sees no GPU here");
        }
        for (int g = 0; g < gpus; g++) {
          out.add(Device.gpu(g));
        }
      } else if (s.matches("gpu:\\d+")) {
        int g = Integer.parseInt(s.substring(4));
        if (g >= gpus) {
          throw new UserInputException("devices", "gpu:" + g + " asked for, but the PyTorch engine sees " + gpus + " GPU(s)");
        }
        out.add(Device.gpu(g));
      } else {
        throw new UserInputException("devices", "unknown device '" + part.strip() + "' (cpu, gpu, gpu:K)");
      }
    }
    return new TrainDevices(out);
  }

  /** The devices the trainer holds parameter copies on, in first-listed order. */
  Device[] distinct() {
    return new LinkedHashSet<>(replicas).toArray(new Device[0]);
  }

  int count() {
    return replicas.size();
  }

  Device[] asArray() {
    return replicas.toArray(new Device[0]);
  }

  @Override
  public String toString() {
    int d = distinct().length;
    return count() + " replica(s) on " + d + " device(s) " + replicas;
  }
}
