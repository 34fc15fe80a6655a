package dev.facebeam.transforms;

import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.VarIntCoder;

/**
 * A Beam coder for our protobuf messages: a varint length and the message bytes. Kept here rather
 * than pulling Beam's protobuf extension, whose protobuf version would have to agree with ours.
 */
public final class ProtoCoder<T extends Message> extends CustomCoder<T> {
  private final Class<T> type;
  private transient Parser<T> parser;

  private ProtoCoder(Class<T> type) {
    this.type = type;
  }

  public static <T extends Message> ProtoCoder<T> of(Class<T> type) {
    return new ProtoCoder<>(type);
  }

  @Override
  public void encode(T value, OutputStream out) throws IOException {
    byte[] b = value.toByteArray();
    VarIntCoder.of().encode(b.length, out);
    out.write(b);
  }

  @Override
  public T decode(InputStream in) throws IOException {
    int n = VarIntCoder.of().decode(in);
    return parser().parseFrom(in.readNBytes(n));
  }

  @SuppressWarnings("unchecked")
  private Parser<T> parser() {
    if (parser == null) {
      try {
        Message def = (Message) type.getMethod("getDefaultInstance").invoke(null);
        parser = (Parser<T>) def.getParserForType();
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("no parser for " + type, e);
      }
    }
    return parser;
  }

  @Override
  public void verifyDeterministic() {
    // Protobuf serialization of our messages (no maps) is deterministic.
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ProtoCoder<?> c && c.type.equals(type);
  }

  @Override
  public int hashCode() {
    return type.hashCode();
  }
}
