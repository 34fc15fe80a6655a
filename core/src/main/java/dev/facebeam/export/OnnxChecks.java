package dev.facebeam.export;

import dev.facebeam.onnx.AttributeProto;
import dev.facebeam.onnx.ModelProto;
import dev.facebeam.onnx.NodeProto;
import dev.facebeam.onnx.TensorProto;
import dev.facebeam.onnx.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The ONNX checker's rules that apply to the graphs export writes (docs/export.md): the opset is
 * imported; every node's inputs are defined before it (graph inputs, initializers, earlier
 * outputs); every name is defined once; each op is one export writes, with its inputs' count and
 * only the attributes, of the types, its opset defines; initializers hold as many values as their
 * dimensions say; the graph's outputs are produced. Returns what is wrong, empty when nothing is.
 */
public final class OnnxChecks {
  private OnnxChecks() {}

  /** Per op: the allowed input counts (min, max) and attribute name → type. */
  private record OpRule(int minInputs, int maxInputs, Map<String, AttributeProto.AttributeType> attributes) {}

  private static final Map<String, OpRule> OPS = Map.of(
      "Conv", new OpRule(2, 3, Map.of("kernel_shape", AttributeProto.AttributeType.INTS, "strides", AttributeProto.AttributeType.INTS,
          "pads", AttributeProto.AttributeType.INTS, "dilations", AttributeProto.AttributeType.INTS, "group", AttributeProto.AttributeType.INT,
          "auto_pad", AttributeProto.AttributeType.STRING)),
      "BatchNormalization", new OpRule(5, 5, Map.of("epsilon", AttributeProto.AttributeType.FLOAT, "momentum",
          AttributeProto.AttributeType.FLOAT)),
      "PRelu", new OpRule(2, 2, Map.of()),
      "Add", new OpRule(2, 2, Map.of()),
      "Flatten", new OpRule(1, 1, Map.of("axis", AttributeProto.AttributeType.INT)),
      "Gemm", new OpRule(2, 3, Map.of("alpha", AttributeProto.AttributeType.FLOAT, "beta", AttributeProto.AttributeType.FLOAT,
          "transA", AttributeProto.AttributeType.INT, "transB", AttributeProto.AttributeType.INT)));

  public static List<String> problems(ModelProto m) {
    List<String> out = new ArrayList<>();
    if (m.getOpsetImportCount() != 1 || !m.getOpsetImport(0).getDomain().isEmpty()) {
      out.add("expected one opset import of the default domain, got " + m.getOpsetImportList());
    } else {
      long v = m.getOpsetImport(0).getVersion();
      if (v < OnnxExport.MIN_OPSET || v > OnnxExport.MAX_OPSET) {
        out.add("opset " + v + " outside " + OnnxExport.MIN_OPSET + "…" + OnnxExport.MAX_OPSET);
      }
    }
    if (m.getIrVersion() < 3) {
      out.add("IR version " + m.getIrVersion() + " predates opset imports");
    }
    Set<String> defined = new HashSet<>();
    for (ValueInfoProto i : m.getGraph().getInputList()) {
      define(defined, i.getName(), "graph input", out);
    }
    for (TensorProto t : m.getGraph().getInitializerList()) {
      define(defined, t.getName(), "initializer", out);
      long n = 1;
      for (long d : t.getDimsList()) {
        n *= d;
      }
      if (t.getDataType() != TensorProto.DataType.FLOAT_VALUE || t.getRawData().size() != n * 4) {
        out.add("initializer " + t.getName() + ": " + t.getRawData().size() + " bytes for dims " + t.getDimsList());
      }
    }
    for (NodeProto n : m.getGraph().getNodeList()) {
      String where = "node " + n.getName() + " (" + n.getOpType() + ")";
      OpRule rule = OPS.get(n.getOpType());
      if (rule == null) {
        out.add(where + ": not an op export writes");
        continue;
      }
      if (n.getInputCount() < rule.minInputs() || n.getInputCount() > rule.maxInputs()) {
        out.add(where + ": " + n.getInputCount() + " inputs, expected " + rule.minInputs() + "…" + rule.maxInputs());
      }
      for (String in : n.getInputList()) {
        if (!defined.contains(in)) {
          out.add(where + ": input " + in + " is not defined before it");
        }
      }
      for (AttributeProto a : n.getAttributeList()) {
        AttributeProto.AttributeType t = rule.attributes().get(a.getName());
        if (t == null) {
          out.add(where + ": attribute " + a.getName() + " is not one of " + n.getOpType() + "'s");
        } else if (a.getType() != t) {
          out.add(where + ": attribute " + a.getName() + " is " + a.getType() + ", " + n.getOpType() + " takes " + t);
        }
      }
      for (String o : n.getOutputList()) {
        define(defined, o, where + " output", out);
      }
    }
    for (ValueInfoProto o : m.getGraph().getOutputList()) {
      if (!defined.contains(o.getName())) {
        out.add("graph output " + o.getName() + " is not produced");
      }
    }
    return out;
  }

  private static void define(Set<String> defined, String name, String what, List<String> out) {
    if (name.isEmpty()) {
      out.add(what + " has an empty name");
    } else if (!defined.add(name)) {
      out.add(what + " " + name + " is defined twice");
    }
  }
}
