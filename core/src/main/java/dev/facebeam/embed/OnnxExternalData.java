package dev.facebeam.embed;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.ExtensionRegistryLite;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import dev.facebeam.UserInputException;
import dev.facebeam.onnx.StringStringEntryProto;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Refuses an ONNX model whose tensors name external data outside the model's folder (docs/export.md,
 * "External data"): a location that is absolute, climbs out with {@code ..}, or reaches out through a
 * symbolic link. The bundled ONNX Runtime (1.21.1) follows such a path and hands the file's bytes to
 * the network as weights (1.30 refuses it): the check is ours, whatever the engine's version.
 *
 * <p>The file is walked as a stream over every place ONNX lets a tensor live (initializers, sparse
 * initializers, node attributes, subgraphs, functions, training graphs); weights are skipped, not
 * copied, so a large model costs one read.
 */
public final class OnnxExternalData {
  private static final int MAX_DEPTH = 64;
  private static final int EXTERNAL = 1;

  /** Message kinds of the ONNX schema that can hold a tensor, each with its fields that lead to one. */
  private enum Kind { MODEL, GRAPH, NODE, ATTRIBUTE, FUNCTION, TRAINING, SPARSE, TENSOR }

  private static final Map<Kind, Map<Integer, Kind>> FIELDS = Map.of(
      Kind.MODEL, Map.of(7, Kind.GRAPH, 20, Kind.TRAINING, 25, Kind.FUNCTION),
      Kind.GRAPH, Map.of(1, Kind.NODE, 5, Kind.TENSOR, 15, Kind.SPARSE),
      Kind.NODE, Map.of(5, Kind.ATTRIBUTE),
      Kind.ATTRIBUTE, Map.of(5, Kind.TENSOR, 6, Kind.GRAPH, 10, Kind.TENSOR, 11, Kind.GRAPH, 22, Kind.SPARSE, 23, Kind.SPARSE),
      Kind.FUNCTION, Map.of(7, Kind.NODE, 11, Kind.ATTRIBUTE),
      Kind.TRAINING, Map.of(1, Kind.GRAPH, 2, Kind.GRAPH),
      Kind.SPARSE, Map.of(1, Kind.TENSOR, 2, Kind.TENSOR),
      Kind.TENSOR, Map.of());

  private OnnxExternalData() {}

  /**
   * Checks every external-data location of {@code model}; returns how many tensors name one. An
   * error names the model, the tensor and the location.
   */
  public static int check(Path model) {
    Path abs = model.toAbsolutePath().normalize();
    Path dir = abs.getParent();
    Path realDir;
    try {
      realDir = dir.toRealPath();
    } catch (IOException e) {
      throw new UserInputException(dir.toString(), "cannot resolve the model's folder: " + e.getMessage(), e);
    }
    try (InputStream in = Files.newInputStream(abs)) {
      CodedInputStream c = CodedInputStream.newInstance(in);
      c.setSizeLimit(Integer.MAX_VALUE);
      c.setRecursionLimit(MAX_DEPTH);
      int[] count = {0};
      walk(c, Kind.MODEL, 0, new Where(abs, dir, realDir), count);
      return count[0];
    } catch (InvalidProtocolBufferException e) {
      // What we cannot walk, we cannot vouch for: the engine never sees it.
      throw new UserInputException(abs.toString(), "not an ONNX model (its protobuf does not parse: " + e.getMessage() + ")", e);
    } catch (IOException e) {
      throw new UserInputException(abs.toString(), "cannot read model file: " + e.getMessage(), e);
    }
  }

  private record Where(Path model, Path dir, Path realDir) {}

  private static void walk(CodedInputStream c, Kind kind, int depth, Where w, int[] count) throws IOException {
    if (depth > MAX_DEPTH) {
      throw new UserInputException(w.model().toString(), "ONNX graphs nested deeper than " + MAX_DEPTH + " levels");
    }
    String tensorName = "";
    String location = null;
    int dataLocation = 0;
    while (true) {
      int tag = c.readTag();
      if (tag == 0) {
        break;
      }
      int field = WireFormat.getTagFieldNumber(tag);
      boolean delimited = WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED;
      Kind next = FIELDS.get(kind).get(field);
      if (kind == Kind.TENSOR && field == 8 && delimited) {
        tensorName = c.readBytes().toStringUtf8();
      } else if (kind == Kind.TENSOR && field == 13 && delimited) {
        StringStringEntryProto e = c.readMessage(StringStringEntryProto.parser(), ExtensionRegistryLite.getEmptyRegistry());
        if (e.getKey().equals("location")) {
          location = e.getValue();
        }
      } else if (kind == Kind.TENSOR && field == 14 && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_VARINT) {
        dataLocation = c.readEnum();
      } else if (next != null && delimited) {
        int limit = c.pushLimit(c.readRawVarint32());
        walk(c, next, depth + 1, w, count);
        c.popLimit(limit);
      } else if (!c.skipField(tag)) {
        break;
      }
    }
    if (kind == Kind.TENSOR && (location != null || dataLocation == EXTERNAL)) {
      count[0]++;
      inside(w, tensorName, location);
    }
  }

  private static void inside(Where w, String tensor, String location) {
    String where = w.model() + "#tensor=" + (tensor.isEmpty() ? "(unnamed)" : tensor);
    if (location == null || location.isEmpty()) {
      throw new UserInputException(where, "stored as external data but names no location");
    }
    if (location.indexOf('\0') >= 0) {
      throw new UserInputException(where, "external data location holds a NUL character");
    }
    String outside = "external data location '" + location + "' is outside the model's folder " + w.dir()
        + "; refusing to load it (external data must sit beside the model or below it)";
    Path loc;
    try {
      loc = Path.of(location);
    } catch (java.nio.file.InvalidPathException e) {
      throw new UserInputException(where, "external data location '" + location + "' is not a path: " + e.getReason());
    }
    Path file = w.dir().resolve(loc).normalize();
    if (loc.isAbsolute() || !file.startsWith(w.dir()) || file.equals(w.dir())) {
      throw new UserInputException(where, outside);
    }
    if (!Files.exists(file)) {
      throw new UserInputException(where, "external data file " + file + " is missing");
    }
    try {
      Path real = file.toRealPath();
      if (!real.startsWith(w.realDir())) {
        throw new UserInputException(where, outside + " (" + file + " is a link to " + real + ")");
      }
      if (!Files.isRegularFile(real)) {
        throw new UserInputException(where, "external data " + file + " is not a regular file");
      }
    } catch (IOException e) {
      throw new UserInputException(where, "cannot resolve external data " + file + ": " + e.getMessage(), e);
    }
  }
}
