package dev.facebeam.transforms;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
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

  public static String toJson(Reject r) {
    try {
      return JsonFormat.printer().omittingInsignificantWhitespace().print(r);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public PCollection<String> expand(PCollection<Reject> rejects) {
    return rejects
        .apply("ToJson", MapElements.into(TypeDescriptors.strings()).via(WriteRejects::toJson))
        .apply("WriteJsonl", new WriteLines(file));
  }
}
