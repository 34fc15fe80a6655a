package dev.facebeam.train;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.loss.Loss;
import dev.facebeam.UserInputException;
import dev.facebeam.io.OutputGuard;
import dev.facebeam.models.Networks;
import dev.facebeam.models.TorchCpuAllocator;
import dev.facebeam.models.loss.CrossEntropyLoss;
import dev.facebeam.models.loss.MarginSoftmax;
import dev.facebeam.models.loss.ShardedCrossEntropyLoss;
import dev.facebeam.models.loss.TripletBatchLoss;
import dev.facebeam.models.loss.TripletLoss;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The train stage (docs/training.md): the seed's networks and losses through DJL's PyTorch engine, MXNet's
 * SGD rules, batches decoded ahead of the step, verification every {@code verbose} steps with the
 * verification stage's code, checkpoints by mode 0–3, and {@code metrics.jsonl}.
 */
public final class TrainJob {
  private TrainJob() {}

  /** What a run did: steps, the last loss, the verification rounds, the kept model, time waiting for data. */
  public record Result(long steps, double lastLoss, List<List<Verifier.Score>> rounds, Path model, double secondsWaitingForData,
      double seconds, String pretrained, List<String> missingTargets) {
    /** The console's line: steps, time, the last loss, the wait for data and the model saved. */
    public String summary() {
      return String.format(java.util.Locale.ROOT, "train: %d steps in %.1f s, last loss %.5f, %.1f s waiting for data; model: %s",
          steps, seconds, lastLoss, secondsWaitingForData, model == null ? "none saved (ckpt 0)" : model);
    }
  }

  /** The command line's train: the config with its overrides, the dataset and the output. */
  public static Result run(TrainOptions o, PrintStream log) {
    TrainConfig c = TrainConfig.load(Path.of(o.getConfig()), TrainConfig.overrides(o.getOverrides()));
    return run(c, Path.of(o.getDataset()), Path.of(o.getOutput()), log);
  }

  /** The loss went NaN or infinite: training stopped, the last good checkpoint is kept. */
  public static final class Diverged extends RuntimeException {
    Diverged(String message) {
      super(message);
    }
  }

  /**
   * Installs libtorch's block cache so that steps reuse their CPU memory instead of faulting it in
   * afresh (docs/training.md, "Memory a step reuses"), and says which allocator serves; an unknown
   * {@code -Dfacebeam.torchAllocator} is the user's error, named.
   */
  public static String cpuMemory() {
    try {
      return TorchCpuAllocator.describe();
    } catch (IllegalArgumentException e) {
      throw new UserInputException("-D" + TorchCpuAllocator.PROPERTY + "=" + System.getProperty(TorchCpuAllocator.PROPERTY), e.getMessage());
    }
  }

  public static Result run(TrainConfig c, Path dataset, Path output, PrintStream log) {
    List<Path> inputs = java.util.Arrays.asList(dataset, c.pretrained().isEmpty() ? null : Path.of(c.pretrained()));
    OutputGuard.folder("--output", output.toString(), "train", inputs);
    FaceData data = FaceData.open(dataset, c.numClasses());
    TrainDevices devices = TrainDevices.parse(c.devices(), Engine.getEngine("PyTorch").getGpuCount());
    cpuMemory();
    // Marked as train's once the dataset and devices are sound: a typo there leaves no folder behind.
    output = OutputGuard.claim("--output", output.toString(), "train", inputs);
    try {
      Files.writeString(output.resolve("config.json"), c.json() + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int batch = c.perBatchSize() * devices.count();
    if (c.triplet() && c.perBatchSize() % 3 != 0) {
      throw new UserInputException("per_batch_size", "triplet batches hold anchors, positives and negatives in thirds: "
          + c.perBatchSize() + " is not a multiple of 3");
    }
    if (c.triplet() && c.fc7Shards() > 1) {
      throw new UserInputException("fc7_shards", c.loss() + " trains the embedding alone: there is no classifier to cut into "
          + c.fc7Shards() + " shards");
    }
    if (c.triplet() && c.sampleRate() < 1) {
      throw new UserInputException("sample_rate", c.loss() + " trains the embedding alone: there is no classifier whose classes "
          + "Partial FC could sample (sample_rate " + c.sampleRate() + ")");
    }
    MarginSoftmax head = c.triplet() ? null : c.head();
    // Partial FC samples each shard's classes: the classifier lives in Fc7Shards then, one shard or more.
    boolean sharded = head != null && (c.fc7Shards() > 1 || c.sampleRate() < 1);
    boolean fc7Bias = c.loss().equals("softmax") && !c.fc7NoBias();
    // Sharded, the network outputs embeddings and Fc7Shards holds the classifier.
    TrainingNet net = new TrainingNet(Networks.create(c.network(), c.embSize()), sharded ? null : head, data.classes, c.embSize(), fc7Bias);
    MxSgd sgd = MxSgd.builder().schedule(c::lrAt).momentum(c.mom()).wd(c.wd()).setRescaleGrad(1f / devices.count()).build();
    Verifier verifier = new Verifier(dataset, c.valTargets());
    if (!verifier.missing().isEmpty()) {
      log.println("val_targets without a .bin in " + dataset + ": " + String.join(", ", verifier.missing()));
    }
    Engine.getEngine("PyTorch").setRandomSeed((int) c.seed());
    long t0 = System.nanoTime();
    try (Model model = Model.newInstance("facebeam-train", devices.replicas().get(0), "PyTorch");
         Writer metrics = Files.newBufferedWriter(output.resolve(MetricsLine.FILE), StandardCharsets.UTF_8,
             StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING)) {
      model.setBlock(net);
      Fc7Shards shards = sharded ? Fc7Shards.create(data.classes, c.embSize(), fc7Bias, c.fc7Shards(), devices.distinct(),
          model.getNDManager(), sgd, new MxSgd.Mult(c.fc7LrMult(), c.fc7WdMult()))
          .sampling(c.sampleRate(), new java.util.Random(c.seed())) : null;
      Loss loss = c.triplet() ? new TripletBatchLoss(new TripletLoss(c.loss().equals("atriplet"), (float) c.tripletAlpha()))
          : sharded ? new ShardedCrossEntropyLoss(head, shards::shards, shards::samples) : new CrossEntropyLoss();
      DefaultTrainingConfig tc = new DefaultTrainingConfig(loss).optOptimizer(sgd).optDevices(devices.distinct())
          .optInitializer(new XavierInitializer(XavierInitializer.RandomType.GAUSSIAN, XavierInitializer.FactorType.OUT, 2),
              Parameter.Type.WEIGHT);
      try (Trainer trainer = model.newTrainer(tc)) {
        trainer.initialize(new Shape(c.perBatchSize(), 3, 112, 112), new Shape(c.perBatchSize()));
        dev.facebeam.models.NetworkStats stats = dev.facebeam.models.NetworkStats.of(net.embedding, new Shape(1, 3, 112, 112));
        log.printf(Locale.ROOT, "network %s (emb %d): %,d parameters, %.3f G multiply-accumulates (%.3f GFLOPs) at 112x112; "
                + "%d classes, %d images, batch %d as %s%n", c.network(), c.embSize(), stats.parameters(), stats.macs() / 1e9,
            2 * stats.macs() / 1e9, data.classes, data.items.size(), batch, devices);
        for (var p : net.getParameters()) {
          Parameter param = p.getValue();
          sgd.rule(param, param == net.fc7Weight ? new MxSgd.Mult(c.fc7LrMult(), c.fc7WdMult())
              : param == net.fc7Bias ? new MxSgd.Mult(2, 0) : MxSgd.mxnetRule(param));
        }
        if (shards != null) {
          log.println("classifier fc7: " + shards.describe());
        }
        String pretrained = c.pretrained().isEmpty() ? null
            : Checkpoints.loadPretrained(Path.of(c.pretrained()), net, shards, model.getNDManager());
        if (pretrained != null) {
          log.println(pretrained);
        }
        Loop loop = new Loop(c, data, net, shards, trainer, devices, sgd, verifier, output, metrics, log, batch);
        return loop.run(t0, pretrained); // the shards live in the model's manager and close with it
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The step loop and what it keeps between steps. */
  private static final class Loop {
    private final TrainConfig c;
    private final FaceData data;
    private final TrainingNet net;
    private final Fc7Shards shards;
    private final Trainer trainer;
    private final TrainDevices devices;
    private final MxSgd sgd;
    private final Verifier verifier;
    private final Path output;
    private final Writer metrics;
    private final PrintStream log;
    private final int batch;
    private final List<List<Verifier.Score>> rounds = new ArrayList<>();
    private Path kept;

    Loop(TrainConfig c, FaceData data, TrainingNet net, Fc7Shards shards, Trainer trainer, TrainDevices devices, MxSgd sgd,
        Verifier verifier, Path output, Writer metrics, PrintStream log, int batch) {
      this.c = c;
      this.data = data;
      this.net = net;
      this.shards = shards;
      this.trainer = trainer;
      this.devices = devices;
      this.sgd = sgd;
      this.verifier = verifier;
      this.output = output;
      this.metrics = metrics;
      this.log = log;
      this.batch = batch;
    }

    Result run(long t0, String pretrained) throws IOException {
      long step = 0;
      double lastLoss = Double.NaN;
      double waited = 0;
      long windowStart = System.nanoTime();
      long windowSamples = 0;
      TripletBatches triplets = c.triplet() ? new TripletBatches(data, c, net, trainer.getManager(), trainer.getDevices()[0], devices.count()) : null;
      try (BatchStream stream = c.triplet() ? null : new BatchStream(data, batch, c.seed(), c.randMirror(), c.workers())) {
        while (c.maxSteps() == 0 || step < c.maxSteps()) {
          BatchStream.Batch b = c.triplet() ? triplets.next() : stream.next();
          step++;
          sgd.atStep(step - 1); // train.py lowers the lr in the callback after batch k: batch k uses the rate set after k − 1
          double lossValue = DataParallelStep.run(trainer, devices.asArray(), b.images(), b.labels(), shards);
          if (!Double.isFinite(lossValue)) {
            throw diverged("loss became " + lossValue, step, b.epoch());
          }
          lastLoss = lossValue;
          windowSamples += batch;
          if (step % c.frequent() == 0 || step == c.maxSteps()) {
            double secs = (System.nanoTime() - windowStart) / 1e9;
            writeLine(new MetricsLine.Progress(step, b.epoch(), lossValue, sgd.lr(), windowSamples / secs));
            log.printf(Locale.ROOT, "[%d] epoch %d loss %.5f lr %g %.1f samples/s%n", step, b.epoch(), lossValue, sgd.lr(), windowSamples / secs);
            windowStart = System.nanoTime();
            windowSamples = 0;
          }
          boolean last = c.maxSteps() > 0 && step == c.maxSteps();
          if ((c.verbose() > 0 && step % c.verbose() == 0) || (last && (c.verbose() == 0 || step % c.verbose() != 0))) {
            verifyAndCheckpoint(step, b.epoch());
          }
        }
        waited = stream == null ? 0 : stream.waitedSeconds();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("training interrupted", e);
      }
      return new Result(step, lastLoss, rounds, kept, waited, (System.nanoTime() - t0) / 1e9, pretrained, verifier.missing());
    }

    private void verifyAndCheckpoint(long step, long epoch) throws IOException {
      List<Verifier.Score> round = new ArrayList<>();
      for (Verifier.Target t : verifier.targets()) {
        Verifier.Score s;
        try {
          s = Verifier.test(t, net.embedding, trainer.getManager(), trainer.getDevices()[0], batch);
        } catch (Verifier.BadEmbedding e) {
          // The loss can stay finite while the embedding blows up (a huge lr): the same stop as a NaN loss.
          throw diverged(e.getMessage(), step, epoch);
        }
        round.add(s);
        log.printf(Locale.ROOT, "[%s][%d]XNorm: %f%n[%s][%d]Accuracy-Flip: %1.5f+-%1.5f%n", s.target(), step, s.xnorm(),
            s.target(), step, s.accuracyFlip(), s.accuracyFlipStd());
      }
      boolean best = verifier.newHighest(round);
      if (!round.isEmpty()) {
        log.printf(Locale.ROOT, "[%d]Accuracy-Highest: %1.5f%n", step, verifier.highest());
      }
      for (Verifier.Score s : round) {
        writeLine(new MetricsLine.Check(step, s.target(), s.accuracyFlip(), s.accuracyFlipStd(), s.xnorm(), verifier.highest()));
      }
      metrics.flush();
      rounds.add(round);
      int counter = rounds.size();
      Path folder = switch (c.ckpt()) {
        case 0 -> null;
        case 1 -> best ? output.resolve(String.format("model-%04d", counter)) : null;
        case 2 -> output.resolve(String.format("model-%04d", counter));
        default -> best ? output.resolve("model-0001") : null; // 3: only the best, always as 0001
      };
      if (folder != null) {
        kept = Checkpoints.save(folder, c, net, shards, !c.ckptEmbedding());
        log.println("saved " + kept);
      }
    }

    /** The stop of a run that diverged: its line in metrics.jsonl, and the error naming the step and the last good checkpoint. */
    private Diverged diverged(String what, long step, long epoch) throws IOException {
      writeLine(new MetricsLine.Diverged(step, epoch, sgd.lr()));
      metrics.flush();
      return new Diverged(what + " at step " + step + "; training stopped"
          + (kept == null ? " before any checkpoint was written" : ", the last good checkpoint is " + kept));
    }

    private void writeLine(MetricsLine line) throws IOException {
      metrics.write(line.toJson());
      metrics.write('\n');
    }
  }
}
