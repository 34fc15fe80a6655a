package dev.facebeam.pipelines;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/** Options of the {@code megaface} stage. */
public interface MegaFaceOptions extends PipelineOptions {
  @Description("embed output holding the FaceScrub probes (an embedded MegaFace pack: its PROBE records)")
  @Validation.Required
  String getProbes();

  void setProbes(String value);

  @Description("embed output holding the distractors (its DISTRACTOR records; may be the same folder as --probes)")
  @Validation.Required
  String getDistractors();

  void setDistractors(String value);

  @Description("Output folder: report.json, report.md, cmc.png, devkit-style cmc_*.json and manifest.json")
  @Validation.Required
  String getOutput();

  void setOutput(String value);

  @Description("Distractor set sizes: each uses the first N distractors of the list")
  @Default.String("10,100,1000,10000,100000,1000000")
  String getSizes();

  void setSizes(String value);

  @Description("CMC ranks kept per probe")
  @Default.Integer(10)
  int getTopK();

  void setTopK(int value);

  @Description("Target FARs for TAR@FAR")
  @Default.String("1e-6,1e-5,1e-4")
  String getFar();

  void setFar(String value);

  @Description("Noise cleaning (spec §8.3) from the noise flags ingest set: noisy distractors never compete, "
      + "noisy probes become their identity's normalised clean sum")
  @Default.Boolean(true)
  boolean getNoiseCleaning();

  void setNoiseCleaning(boolean value);

  @Description("Distractors per matrix product")
  @Default.Integer(4096)
  int getBlockSize();

  void setBlockSize(int value);

  @Description("Algorithm name in the devkit-style cmc file names")
  @Default.String("facebeam")
  String getAlgo();

  void setAlgo(String value);
}
