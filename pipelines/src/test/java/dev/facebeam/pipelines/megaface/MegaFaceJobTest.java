package dev.facebeam.pipelines.megaface;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.facebeam.UserInputException;
import dev.facebeam.io.StageFiles;
import dev.facebeam.io.StageOutput;
import dev.facebeam.pipelines.Fixtures;
import dev.facebeam.pipelines.embed.EmbedOptions;
import dev.facebeam.pipelines.embed.EmbedPipeline;
import dev.facebeam.pipelines.embed.EmbedPipelineTest;
import dev.facebeam.pipelines.ingest.IngestPipeline;
import dev.facebeam.proto.Embedding;
import dev.facebeam.proto.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class MegaFaceJobTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void matchesABruteForceOverRealEmbeddings() throws Exception {
    System.setProperty("ai.djl.offline", "true");
    // FaceScrub-like probes: ORL s1..s4, 4 images each; distractors: ORL s5..s30, 3 images each (78).
    Path root = tmp.newFolder("mf").toPath();
    StringBuilder mf = new StringBuilder(Fixtures.megafacePack(root, 4, 4, 5, 30, 3));
    // A celebrity among the distractors (another image of Person_1) and a mislabelled probe.
    Path celeb = Files.createDirectories(root.resolve("megaface_images/99/celeb@N00"));
    Files.copy(Fixtures.shared("orl/s1/5.pgm"), celeb.resolve("1_0.jpg"));
    mf.insert(0, "99/celeb@N00/1_0.jpg\n");
    Files.writeString(root.resolve("megaface_lst"), mf.toString());
    Files.writeString(root.resolve("facescrub_noises.txt"), "#noise\nPerson_2_3.png\n");
    Files.writeString(root.resolve("megaface_noises.txt"), "#noise\n99/celeb@N00/1_0.jpg\n");
    Path records = tmp.getRoot().toPath().resolve("records");
    IngestPipeline.run(Fixtures.ingestOptions(root, records));
    Path emb = tmp.getRoot().toPath().resolve("emb");
    EmbedOptions e = EmbedPipelineTest.options(records, emb);
    e.setMean(127f);
    Path devkit = tmp.getRoot().toPath().resolve("devkit");
    e.setExportDevkit(devkit.toString());
    e.setAlgo("fr");
    EmbedPipeline.run(e);

    MegaFaceOptions o = PipelineOptionsFactory.fromArgs("--runner=DirectRunner").as(MegaFaceOptions.class);
    o.setProbes(emb.toString());
    o.setDistractors(emb.toString());
    o.setOutput(tmp.getRoot().toPath().resolve("out").toString());
    o.setSizes("10,40,79");
    o.setTopK(5);
    o.setFar("0.01,0.1");
    o.setBlockSize(16);
    MegaFaceResult r = MegaFaceJob.run(o);
    // Every size's rank-1 also went to the results store beside the output, under the embedding model's name.
    dev.facebeam.results.ResultRecord stored = dev.facebeam.results.ResultsStore.existing("--results",
        dev.facebeam.results.ResultsStore.besides(o.getOutput())).records().stream()
        .filter(rec -> rec.benchmark().equals("megaface")).findFirst().orElseThrow();
    assertEquals(StageOutput.readManifest(emb).getParametersOrThrow("model_name"), stored.model());
    for (MegaFaceResult.Size size : r.sizes()) {
      assertEquals(size.rank1(), stored.metrics().rank1().get(Integer.toString(size.size())), 0.0);
    }
    assertEquals(16, r.probes());
    assertEquals(1, r.probesReplaced());
    assertEquals(1, r.noisyDistractors());

    // Brute force from the stored embeddings.
    List<Embedding> all = new ArrayList<>();
    StageOutput.readManifest(emb).getShardsList().forEach(s -> {
      try {
        all.addAll(StageFiles.readFramed(emb.resolve(s), Embedding.parser()));
      } catch (java.io.IOException x) {
        throw new AssertionError(x);
      }
    });
    List<Embedding> probes = all.stream().filter(x -> x.getRole() == Role.PROBE).sorted((a, b) -> a.getId().compareTo(b.getId())).toList();
    List<Embedding> distractors = all.stream().filter(x -> x.getRole() == Role.DISTRACTOR && !x.getNoisy()).toList();
    float[][] pv = new float[probes.size()][];
    for (int i = 0; i < pv.length; i++) {
      Embedding p = probes.get(i);
      if (!p.getNoisy()) {
        pv[i] = vec(p);
        continue;
      }
      double[] sum = new double[p.getVectorCount()];
      for (Embedding q : probes) {
        if (q.getLabel() == p.getLabel() && !q.getNoisy()) {
          float[] v = vec(q);
          for (int k = 0; k < sum.length; k++) {
            sum[k] += v[k];
          }
        }
      }
      double n = Math.sqrt(Arrays.stream(sum).map(x -> x * x).sum());
      pv[i] = new float[sum.length];
      for (int k = 0; k < sum.length; k++) {
        pv[i][k] = (float) (sum[k] / n);
      }
    }
    int[] sizes = {10, 40, 79};
    for (int si = 0; si < sizes.length; si++) {
      int size = sizes[si];
      long trials = 0;
      long correct = 0;
      long[] within = new long[5];
      for (int p = 0; p < pv.length; p++) {
        for (int g = 0; g < pv.length; g++) {
          if (g == p || probes.get(g).getLabel() != probes.get(p).getLabel()) {
            continue;
          }
          float s = dot(pv[p], pv[g]);
          trials++;
          int better = 0;
          for (Embedding d : distractors) {
            if (d.getIndex() - 1 < size && dot(pv[p], vec(d)) > s) {
              better++;
            }
          }
          correct += better == 0 ? 1 : 0;
          for (int k = 0; k < 5; k++) {
            within[k] += better <= k ? 1 : 0;
          }
        }
      }
      MegaFaceResult.Size rep = r.sizes().get(si);
      assertEquals(4 * 4 * 3, rep.trials());
      assertEquals(trials, rep.trials());
      assertEquals("size " + size, correct, rep.correct());
      for (int k = 0; k < 5; k++) {
        assertEquals((double) within[k] / trials, rep.cmc()[k], 1e-12);
      }
    }
    assertEquals(78, r.sizes().get(2).distractors()); // 79 listed, the celebrity dropped

    // The same features as devkit files (written by embed's exporter), driven the way run.sh drives the devkit.
    MegaFaceOptions d = PipelineOptionsFactory.fromArgs("--runner=DirectRunner").as(MegaFaceOptions.class);
    d.setFacescrubList(root.resolve("facescrub_lst").toString());
    d.setMegafaceList(root.resolve("megaface_lst").toString());
    d.setFacescrubFeatures(devkit.resolve("facescrub").toString());
    d.setMegafaceFeatures(devkit.resolve("megaface").toString());
    d.setFacescrubNoises(root.resolve("facescrub_noises.txt").toString());
    d.setMegafaceNoises(root.resolve("megaface_noises.txt").toString());
    d.setAlgo("fr");
    d.setOutput(tmp.getRoot().toPath().resolve("out-devkit").toString());
    d.setSizes("10,40,79");
    d.setTopK(5);
    d.setFar("0.01,0.1");
    MegaFaceResult viaDevkit = MegaFaceJob.run(d);
    assertEquals(1, viaDevkit.probesReplaced());
    assertEquals(0, viaDevkit.noiseEntriesNotInLists());
    for (int si = 0; si < 3; si++) {
      assertEquals(r.sizes().get(si).trials(), viaDevkit.sizes().get(si).trials());
      assertEquals(r.sizes().get(si).correct(), viaDevkit.sizes().get(si).correct());
      assertEquals(r.sizes().get(si).distractors(), viaDevkit.sizes().get(si).distractors());
    }
    // The same features as NumPy matrices with lists (row i = line i): the same numbers.
    Path np = tmp.newFolder("npy").toPath();
    List<Embedding> listed = all.stream().filter(x -> x.getRole() == Role.DISTRACTOR)
        .sorted((a, b) -> Long.compare(a.getIndex(), b.getIndex())).toList();
    assertEquals(79, listed.size());
    writeNpy(np.resolve("probes.npy"), np.resolve("probes.lst"), probes);
    writeNpy(np.resolve("distractors.npy"), np.resolve("distractors.lst"), listed);
    MegaFaceOptions n = PipelineOptionsFactory.fromArgs("--runner=DirectRunner").as(MegaFaceOptions.class);
    n.setProbesNpy(np.resolve("probes.npy").toString());
    n.setProbesList(np.resolve("probes.lst").toString());
    n.setDistractorsNpy(np.resolve("distractors.npy").toString());
    n.setDistractorsList(np.resolve("distractors.lst").toString());
    n.setFacescrubNoises(root.resolve("facescrub_noises.txt").toString());
    n.setMegafaceNoises(root.resolve("megaface_noises.txt").toString());
    n.setOutput(tmp.getRoot().toPath().resolve("out-npy").toString());
    n.setSizes("10,40,79");
    n.setTopK(5);
    n.setFar("0.01,0.1");
    n.setBlockSize(7);
    MegaFaceResult viaNpy = MegaFaceJob.run(n);
    assertEquals(1, viaNpy.probesReplaced());
    assertEquals(1, viaNpy.noisyDistractors());
    assertEquals(79, viaNpy.distractorsRead());
    for (int si = 0; si < 3; si++) {
      assertEquals(r.sizes().get(si).trials(), viaNpy.sizes().get(si).trials());
      assertEquals(r.sizes().get(si).correct(), viaNpy.sizes().get(si).correct());
      assertArrayEquals(r.sizes().get(si).cmc(), viaNpy.sizes().get(si).cmc(), 0);
    }
    // One identity left with a single image: it contributes no trials, and the report says so.
    writeNpy(np.resolve("probes.npy"), np.resolve("probes.lst"),
        probes.stream().filter(x -> !x.getRelativePath().contains("Person_4") || x.getRelativePath().endsWith("Person_4_1.png")).toList());
    n.setOutput(tmp.getRoot().toPath().resolve("out-single").toString());
    MegaFaceResult single = MegaFaceJob.run(n);
    assertEquals(List.of("Person_4"), single.singleImageIdentities());
    assertEquals(3 * 4 * 3, single.sizes().get(0).trials());
    assertThat(Files.readString(tmp.getRoot().toPath().resolve("out-single/report.json")),
        containsString("\"single_image_identities\": {\"count\": 1"));
    assertThat(Files.readString(tmp.getRoot().toPath().resolve("out-single/report.md")), containsString("contribute no trials: Person_4"));

    // A feature file gone: a clear error naming it, or counted and skipped with --skipMissing.
    Files.delete(devkit.resolve("megaface/5/u5@N00/2_0.jpg_fr.bin"));
    d.setOutput(tmp.getRoot().toPath().resolve("out-missing").toString());
    Exception missing = org.junit.Assert.assertThrows(Exception.class, () -> MegaFaceJob.run(d));
    assertThat(String.valueOf(rootCause(missing).getMessage()), containsString("2_0.jpg_fr.bin"));
    d.setSkipMissing(true);
    d.setOutput(tmp.getRoot().toPath().resolve("out-skipped").toString());
    MegaFaceResult skipped = MegaFaceJob.run(d);
    assertEquals(77, skipped.sizes().get(2).distractors());
    assertEquals(1, skipped.distractorsMissing());
    assertThat(Files.readString(tmp.getRoot().toPath().resolve("out-skipped/report.json")),
        containsString("\"missing_skipped\": {\"probes\": 0, \"distractors\": 1}"));
    Path out = tmp.getRoot().toPath().resolve("out");
    assertThat(Files.readString(out.resolve("report.json")), containsString("\"probes_replaced\": 1"));
    assertThat(Files.readString(out.resolve("cmc_facescrub_megaface_facebeam_79_1.json")), containsString("\"cmc\": [[0.0"));
    assertTrue(Files.size(out.resolve("cmc.png")) > 1000);
    System.out.println(Files.readString(out.resolve("report.md")));
  }

  private static void writeNpy(Path npy, Path list, List<Embedding> rows) throws java.io.IOException {
    StringBuilder lines = new StringBuilder();
    try (dev.facebeam.codec.export.NpyWriter w = new dev.facebeam.codec.export.NpyWriter(npy, rows.size(), rows.get(0).getVectorCount())) {
      for (Embedding e : rows) {
        w.write(vec(e));
        lines.append("/data/").append(e.getRelativePath()).append('\n');
      }
    }
    Files.writeString(list, lines.toString());
  }

  private static Throwable rootCause(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof UserInputException) {
        return c;
      }
    }
    return t;
  }

  private static float[] vec(Embedding e) {
    float[] v = new float[e.getVectorCount()];
    for (int i = 0; i < v.length; i++) {
      v[i] = e.getVector(i);
    }
    return v;
  }

  private static float dot(float[] a, float[] b) {
    float s = 0f;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }
}
