package dev.facebeam.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Optimizer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongToDoubleFunction;

/**
 * MXNet's SGD with momentum as the seed runs it (docs/training.md): mom = μ·mom − lr·(rescale·g + wd·w),
 * w += mom, with per-parameter multipliers: weight decay only on weights and gammas (PReLU slopes
 * included), none on biases and BN shifts; fc7's weight takes fc7_lr_mult / fc7_wd_mult, its bias
 * lr × 2 and no decay. The learning rate follows the step schedule.
 */
final class MxSgd extends Optimizer {
  record Mult(double lr, double wd) {}

  private final LongToDoubleFunction schedule;
  private final double momentum;
  private final double wd;
  private final Map<String, Mult> mults = new HashMap<>();
  private final Map<String, Map<Device, NDArray>> states = new ConcurrentHashMap<>();
  private long step;

  private MxSgd(Builder b) {
    super(b);
    this.schedule = b.schedule;
    this.momentum = b.momentum;
    this.wd = b.wd;
  }

  /** The rule for one parameter, by its role. */
  void rule(Parameter p, Mult m) {
    rule(p.getId(), m);
  }

  /** The same for an array updated outside DJL's parameter store (fc7's shards), by its id. */
  void rule(String parameterId, Mult m) {
    mults.put(parameterId, m);
  }

  static Mult mxnetRule(Parameter p) {
    return switch (p.getType()) {
      case WEIGHT, GAMMA -> new Mult(1, 1);
      default -> new Mult(1, 0);
    };
  }

  /** The global batch count, for the schedule (set before each update round). */
  void atStep(long globalStep) {
    this.step = globalStep;
  }

  double lr() {
    return schedule.applyAsDouble(step);
  }

  @Override
  public void update(String parameterId, NDArray weight, NDArray grad) {
    Mult m = mults.getOrDefault(parameterId, new Mult(1, 0));
    float lr = (float) (schedule.applyAsDouble(step) * m.lr());
    float decay = (float) (wd * m.wd());
    NDArray state = withDefaultState(states, parameterId, weight.getDevice(), k -> weight.zerosLike());
    // rescale·g + wd·w with one whole-size temporary where the rescale is 1 (one device): float addition
    // commutes, so the bits are those of the two-temporary form (a 10⁶-class fc7 is 0.5 GB a temporary).
    NDArray g;
    if (decay > 0) {
      g = weight.mul(decay);
      if (rescaleGrad == 1f) {
        g.addi(grad);
      } else {
        try (NDArray r = grad.mul(rescaleGrad)) {
          g.addi(r);
        }
      }
    } else {
      g = grad.mul(rescaleGrad);
    }
    g.muli(lr);
    state.muli((float) momentum).subi(g);
    g.close();
    weight.addi(state);
  }

  static Builder builder() {
    return new Builder();
  }

  static final class Builder extends OptimizerBuilder<Builder> {
    private LongToDoubleFunction schedule = s -> 0.1;
    private double momentum = 0.9;
    private double wd = 5e-4;

    Builder schedule(LongToDoubleFunction f) {
      this.schedule = f;
      return this;
    }

    Builder momentum(double m) {
      this.momentum = m;
      return this;
    }

    Builder wd(double w) {
      this.wd = w;
      return this;
    }

    @Override
    protected Builder self() {
      return this;
    }

    MxSgd build() {
      return new MxSgd(this);
    }
  }
}
