package dev.facebeam.transforms;

import dev.facebeam.io.StageFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;

/**
 * Gathers small collections of text lines into one sorted file, written under a temporary name and
 * renamed. Writes nothing for an empty collection (the stage's commit creates the empty file).
 */
public final class WriteLines extends PTransform<PCollection<String>, PCollection<String>> {
  private final String file;

  public WriteLines(String file) {
    this.file = file;
  }

  @Override
  public PCollection<String> expand(PCollection<String> lines) {
    return lines
        .apply("KeyAll", WithKeys.of(0))
        .setCoder(KvCoder.of(VarIntCoder.of(), StringUtf8Coder.of()))
        .apply("Gather", GroupByKey.create())
        .apply("WriteFile", ParDo.of(new WriteFileFn(file)))
        .setCoder(StringUtf8Coder.of());
  }

  static final class WriteFileFn extends DoFn<KV<Integer, Iterable<String>>, String> {
    private final String file;

    WriteFileFn(String file) {
      this.file = file;
    }

    @ProcessElement
    public void process(@Element KV<Integer, Iterable<String>> all, OutputReceiver<String> out) throws IOException {
      List<String> lines = new ArrayList<>();
      all.getValue().forEach(lines::add);
      lines.sort(null);
      Path target = Path.of(file);
      StageFiles.writeAtomically(target, stream -> {
        for (String l : lines) {
          stream.write(l.getBytes(StandardCharsets.UTF_8));
          stream.write('\n');
        }
      });
      out.output(target.getFileName().toString());
    }
  }
}
