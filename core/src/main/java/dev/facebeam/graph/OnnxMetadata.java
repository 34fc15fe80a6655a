package dev.facebeam.graph;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import dev.facebeam.onnx.StringStringEntryProto;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An ONNX file's {@code metadata_props}, read without parsing its graph (docs/export.md): the
 * top-level fields are scanned and the graph (field 7), which holds every weight, is skipped, so a
 * 250 MB model costs a read, not a copy.
 */
public final class OnnxMetadata {
  /** The descriptor facebeam's export puts in the model: the preprocessing, as model.json says it (JSON). */
  public static final String MODEL = "facebeam.model";
  private static final int METADATA_PROPS = 14;

  private OnnxMetadata() {}

  /** The key → value pairs; empty for a model without any (or a file that is not a protobuf message). */
  public static Map<String, String> read(Path onnx) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    try (InputStream in = Files.newInputStream(onnx)) {
      CodedInputStream c = CodedInputStream.newInstance(in);
      c.setSizeLimit(Integer.MAX_VALUE);
      while (true) {
        int tag = c.readTag();
        if (tag == 0) {
          return out;
        }
        if (WireFormat.getTagFieldNumber(tag) == METADATA_PROPS && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
          StringStringEntryProto e = c.readMessage(StringStringEntryProto.parser(), com.google.protobuf.ExtensionRegistryLite.getEmptyRegistry());
          out.put(e.getKey(), e.getValue());
        } else if (!c.skipField(tag)) {
          return out;
        }
      }
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      return out;
    }
  }
}
