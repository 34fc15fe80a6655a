package dev.facebeam.pipelines.run;

import static org.junit.Assert.assertTrue;

import dev.facebeam.codec.pickle.PickleWriter;
import dev.facebeam.embed.ModelSpec;
import dev.facebeam.packs.PackOpener;
import dev.facebeam.pipelines.embed.EmbedOptions;
import dev.facebeam.pipelines.embed.EmbedPipeline;
import dev.facebeam.pipelines.ingest.IngestPipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The cluster progress line finds its step by full name: renaming a step in {@code expand()} must
 * fail here, not silently show no progress. Builds each stage's graph (nothing runs) and looks for
 * the name.
 */
public class ProgressStepsTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  private static List<String> names(Pipeline p) {
    List<String> names = new ArrayList<>();
    p.traverseTopologically(new Pipeline.PipelineVisitor.Defaults() {
      @Override
      public CompositeBehavior enterCompositeTransform(TransformHierarchy.Node node) {
        names.add(node.getFullName());
        return CompositeBehavior.ENTER_TRANSFORM;
      }

      @Override
      public void visitPrimitiveTransform(TransformHierarchy.Node node) {
        names.add(node.getFullName());
      }
    });
    return names;
  }

  @Test
  public void theStepsTheProgressLineCountsAreInTheStagesGraphs() throws Exception {
    Path bin = tmp.getRoot().toPath().resolve("p.bin");
    Files.write(bin, PickleWriter.packBytes(List.of(new byte[] {1}, new byte[] {2}), new boolean[] {true}, 4,
        PickleWriter.ElementForm.BYTES));
    Pipeline ingest = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
    ingest.apply(IngestPipeline.NAME, new IngestPipeline(PackOpener.open(bin, "bin", null), tmp.newFolder().toString(), null));
    assertTrue(names(ingest).toString(), names(ingest).contains(IngestPipeline.PROGRESS_STEP));

    // Graph construction never loads it (an empty file is an empty ONNX ModelProto, which resolving accepts).
    Path model = Files.writeString(tmp.getRoot().toPath().resolve("m.onnx"), "");
    EmbedOptions o = PipelineOptionsFactory.fromArgs("--runner=DirectRunner").as(EmbedOptions.class);
    Pipeline embed = Pipeline.create(o);
    embed.apply(EmbedPipeline.NAME, new EmbedPipeline(List.of(bin.toString()),
        ModelSpec.resolve(model, ModelSpec.Overrides.NONE), EmbedPipeline.DEFAULT_SETTINGS, tmp.newFolder().toString(), 1, false, dev.facebeam.embed.SlotThreads.PER_WORKER));
    assertTrue(names(embed).toString(), names(embed).contains(EmbedPipeline.PROGRESS_STEP));
  }
}
