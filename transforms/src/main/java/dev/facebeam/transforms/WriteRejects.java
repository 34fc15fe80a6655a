package dev.facebeam.transforms;

import dev.facebeam.io.Json;
import dev.facebeam.proto.Reject;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;

/** Writes rejects as one JSON object per line ({@code source}, {@code reason}, {@code id}), sorted. */
public final class WriteRejects extends PTransform<PCollection<Reject>, PCollection<String>> {
  private final String file;

  public WriteRejects(String file) {
    this.file = file;
  }

  /** One line: {@code {"source": …, "reason": …, "id": …}}. */
  public static String toJson(Reject r) {
    return "{\"source\":" + Json.quote(r.getSource()) + ",\"reason\":" + Json.quote(r.getReason())
        + ",\"id\":" + Json.quote(r.getId()) + "}";
  }

  @Override
  public PCollection<String> expand(PCollection<Reject> rejects) {
    return rejects
        .apply("ToJson", MapElements.into(TypeDescriptors.strings()).via(WriteRejects::toJson))
        .apply("WriteJsonl", new WriteLines(file));
  }
}
