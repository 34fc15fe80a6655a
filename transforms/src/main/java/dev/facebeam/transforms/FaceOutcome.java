package dev.facebeam.transforms;

import dev.facebeam.proto.Reject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.VarLongCoder;

/**
 * What became of one face an ingest read: written with its label, or rejected with the reason. A few
 * bytes each, one per face: the stage's counts and identities come from these, and on a cluster the
 * progress line counts them as they leave the reading step.
 */
public record FaceOutcome(long label, Reject reject) {
  public static final CustomCoder<FaceOutcome> CODER = new Coder();

  public static FaceOutcome written(long label) {
    return new FaceOutcome(label, null);
  }

  public static FaceOutcome rejected(Reject reject) {
    return new FaceOutcome(-1, reject);
  }

  public boolean isWritten() {
    return reject == null;
  }

  /** A tag byte, then the label (a varint) or the reject (a protobuf). */
  private static final class Coder extends CustomCoder<FaceOutcome> {
    private static final ProtoCoder<Reject> REJECT = ProtoCoder.of(Reject.class);

    @Override
    public void encode(FaceOutcome value, OutputStream out) throws IOException {
      if (value.isWritten()) {
        out.write(0);
        VarLongCoder.of().encode(value.label(), out);
      } else {
        out.write(1);
        REJECT.encode(value.reject(), out);
      }
    }

    @Override
    public FaceOutcome decode(InputStream in) throws IOException {
      int tag = in.read();
      return switch (tag) {
        case 0 -> written(VarLongCoder.of().decode(in));
        case 1 -> rejected(REJECT.decode(in));
        default -> throw new IOException("not a face outcome: tag " + tag);
      };
    }

    @Override
    public void verifyDeterministic() {
      // a varint or a protobuf without maps: the same value gives the same bytes
    }
  }
}
