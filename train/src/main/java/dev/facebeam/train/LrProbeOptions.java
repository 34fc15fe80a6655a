package dev.facebeam.train;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/** Options of {@code lr-probe}: short runs of one config at several learning rates. */
public interface LrProbeOptions extends TrainOptions {
  @Description("Learning rates to try, comma-separated")
  @Default.String("0.1,0.01,0.005")
  String getLrs();

  void setLrs(String value);

  @Description("Steps per run (verification at four points along it)")
  @Default.Integer(200)
  int getSteps();

  void setSteps(int value);
}
