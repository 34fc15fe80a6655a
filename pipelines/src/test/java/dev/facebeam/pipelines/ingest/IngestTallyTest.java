package dev.facebeam.pipelines.ingest;

import static org.junit.Assert.assertArrayEquals;

import dev.facebeam.proto.Reject;
import dev.facebeam.transforms.FaceOutcome;
import dev.facebeam.transforms.FaceTags;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.Rule;
import org.junit.Test;

/** Ingest's counts from its faces' outcomes, as Beam tests a transform: TestPipeline and PAssert. */
public class IngestTallyTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();

  @Test
  public void countsEveryOutcomeAndPassesTheRejectsOn() {
    List<FaceOutcome> outcomes = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      outcomes.add(FaceOutcome.written(i % 7 == 0 ? -1 : i / 10)); // labels 0..99, some faces without one
    }
    Reject bad = FaceTags.reject("rec-000000001", "/d/train.rec@12#key=1", "truncated JPEG");
    outcomes.add(FaceOutcome.rejected(bad));
    PCollectionTuple tally = p.apply(Create.of(outcomes).withCoder(FaceOutcome.CODER)).apply(new IngestTally());
    // i / 10 for i not a multiple of 7: every label 0..99 keeps at least one face.
    PAssert.that(tally.get(IngestTally.COUNTS)).containsInAnyOrder("read\t1001", "written\t1000", "rejected\t1", "identities\t100");
    PAssert.that(tally.get(FaceTags.REJECTS)).containsInAnyOrder(bad);
    p.run().waitUntilFinish();
  }

  @Test
  public void noFacesGiveZeroCounts() {
    PCollectionTuple tally = p.apply(Create.empty(FaceOutcome.CODER)).apply(new IngestTally());
    PAssert.that(tally.get(IngestTally.COUNTS)).containsInAnyOrder("read\t0", "written\t0", "rejected\t0", "identities\t0");
    p.run().waitUntilFinish();
  }

  @Test
  public void labelSetKeepsExactlyTheDistinctLabelsInAnyOrder() {
    Random r = new Random(26);
    for (int trial = 0; trial < 200; trial++) {
      IngestTally.LabelSet set = new IngestTally.LabelSet();
      TreeSet<Long> expected = new TreeSet<>();
      int n = r.nextInt(20_000);
      long range = 1 + r.nextInt(trial % 2 == 0 ? 50 : 1_000_000);
      for (int i = 0; i < n; i++) {
        long l = r.nextInt(10) == 0 ? -1 : r.nextLong(range);
        set.add(l);
        if (l >= 0) {
          expected.add(l);
        }
      }
      assertArrayEquals(expected.stream().mapToLong(Long::longValue).toArray(), set.sorted());
    }
  }
}
