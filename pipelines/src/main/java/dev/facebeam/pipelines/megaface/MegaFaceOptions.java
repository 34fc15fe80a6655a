package dev.facebeam.pipelines.megaface;

import dev.facebeam.pipelines.results.ResultsOptions;
import dev.facebeam.pipelines.stage.StageLayout;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/** Options of the {@code megaface} stage. */
public interface MegaFaceOptions extends ResultsOptions {
  String SIZES = "10,100,1000,10000,100000,1000000";
  int TOP_K = 10;
  String FAR = StageLayout.FAR_TARGETS;
  int BLOCK_SIZE = 4096;
  String ALGO = "facebeam";

  @Description("embed output holding the FaceScrub probes (an embedded MegaFace pack: its PROBE records); "
      + "or give the devkit inputs below")
  String getProbes();

  void setProbes(String value);

  @Description("embed output holding the distractors (its DISTRACTOR records; may be the same folder as --probes)")
  String getDistractors();

  void setDistractors(String value);

  @Description("Devkit input: facescrub_lst (paths ending <person>/<file>)")
  String getFacescrubList();

  void setFacescrubList(String value);

  @Description("Devkit input: megaface_lst (paths ending <a1>/<a2>/<file>)")
  String getMegafaceList();

  void setMegafaceList(String value);

  @Description("Devkit input: folder of <person>/<file>_<algo>.bin probe features")
  String getFacescrubFeatures();

  void setFacescrubFeatures(String value);

  @Description("Devkit input: folder of <a1>/<a2>/<file>_<algo>.bin distractor features")
  String getMegafaceFeatures();

  void setMegafaceFeatures(String value);

  @Description("NumPy input: probe features, a float32/float64 matrix (probes × d), row i ↔ line i of --probesList")
  String getProbesNpy();

  void setProbesNpy(String value);

  @Description("NumPy input: probe list, facescrub_lst style (paths ending <person>/<file>)")
  String getProbesList();

  void setProbesList(String value);

  @Description("NumPy input: distractor features, a float32/float64 matrix (distractors × d), row i ↔ line i of --distractorsList")
  String getDistractorsNpy();

  void setDistractorsNpy(String value);

  @Description("NumPy input: distractor list, megaface_lst style (paths ending <a1>/<a2>/<file>)")
  String getDistractorsList();

  void setDistractorsList(String value);

  @Description("Devkit or NumPy input: facescrub_noises.txt (cleaning uses it when given)")
  String getFacescrubNoises();

  void setFacescrubNoises(String value);

  @Description("Devkit or NumPy input: megaface_noises.txt (cleaning uses it when given)")
  String getMegafaceNoises();

  void setMegafaceNoises(String value);

  @Description("Devkit input: skip and count list entries whose feature file is missing, instead of failing")
  @Default.Boolean(false)
  boolean getSkipMissing();

  void setSkipMissing(boolean value);

  @Description("Output folder: report.json, report.md, cmc.png, devkit-style cmc_*.json and manifest.json")
  @Validation.Required
  String getOutput();

  void setOutput(String value);

  @Description("Distractor set sizes: each uses the first N distractors of the list")
  @Default.String(SIZES)
  String getSizes();

  void setSizes(String value);

  @Description("CMC ranks kept per probe")
  @Default.Integer(TOP_K)
  int getTopK();

  void setTopK(int value);

  @Description("Target FARs for TAR@FAR")
  @Default.String(FAR)
  String getFar();

  void setFar(String value);

  @Description("Noise cleaning (docs/decisions.md) from the noise flags ingest set: noisy distractors never compete, "
      + "noisy probes become their identity's normalised clean sum")
  @Default.Boolean(true)
  boolean getNoiseCleaning();

  void setNoiseCleaning(boolean value);

  @Description("Distractors per matrix product")
  @Default.Integer(BLOCK_SIZE)
  int getBlockSize();

  void setBlockSize(int value);

  @Description("Algorithm name: the suffix of devkit feature files (<file>_<algo>.bin) and of the cmc file names")
  @Default.String(ALGO)
  String getAlgo();

  void setAlgo(String value);
}
