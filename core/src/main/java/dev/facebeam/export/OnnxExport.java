package dev.facebeam.export;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import com.google.protobuf.ByteString;
import dev.facebeam.graph.NetworkGraph;
import dev.facebeam.onnx.AttributeProto;
import dev.facebeam.onnx.GraphProto;
import dev.facebeam.onnx.ModelProto;
import dev.facebeam.onnx.NodeProto;
import dev.facebeam.onnx.OperatorSetIdProto;
import dev.facebeam.onnx.StringStringEntryProto;
import dev.facebeam.onnx.TensorProto;
import dev.facebeam.onnx.TensorShapeProto;
import dev.facebeam.onnx.TypeProto;
import dev.facebeam.onnx.ValueInfoProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A DJL face network ({@link NetworkGraph}) as an ONNX graph (docs/export.md): BatchNorm with its running
 * statistics and epsilon, dropout left out, PReLU with one slope per channel as a [C, 1, 1] tensor,
 * the embedding FC as Gemm with the weight transposed by the node (transB), residual sums as Add.
 * Weights are initializers named by their place in the block tree. Input {@code input} [B, 3, H, W],
 * output {@code embedding} [B, D], unnormalised; B is named ("batch") unless fixed.
 */
public final class OnnxExport {
  public static final String INPUT = "input";
  public static final String OUTPUT = "embedding";
  /** IR version 8 (ONNX 1.10+): ONNX Runtime 1.21 and every current tool read it. */
  public static final long IR_VERSION = 8;
  public static final int MIN_OPSET = 11;
  public static final int MAX_OPSET = 17;

  private OnnxExport() {}

  /**
   * The graph of {@code block} (initialised, with its trained parameters) for inputs of {@code input}
   * shape ([1, 3, H, W]); {@code batch} 0 for a dynamic batch; {@code metadata} goes to the model's metadata_props.
   */
  public static ModelProto export(Block block, Shape input, int opset, int batch, Map<String, String> metadata) {
    return export(NetworkGraph.of(block, input), opset, batch, metadata);
  }

  public static ModelProto export(NetworkGraph net, int opset, int batch, Map<String, String> metadata) {
    if (opset < MIN_OPSET || opset > MAX_OPSET) {
      throw new IllegalArgumentException("opset " + opset + " is not supported (" + MIN_OPSET + " to " + MAX_OPSET + ")");
    }
    List<NodeProto> nodes = new ArrayList<>();
    List<TensorProto> initializers = new ArrayList<>();
    for (NetworkGraph.Op op : net.ops()) {
      // the last node writes the output name the graph promises
      String output = op == net.ops().get(net.ops().size() - 1) ? OUTPUT : op.output();
      nodes.add(node(op, output, initializers));
    }
    GraphProto graph = GraphProto.newBuilder().setName("facebeam")
        .addAllNode(nodes).addAllInitializer(initializers)
        .addInput(valueInfo(INPUT, batch, net.inputShape().slice(1).getShape()))
        .addOutput(valueInfo(OUTPUT, batch, net.outputShape().slice(1).getShape()))
        .build();
    ModelProto.Builder m = ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName("facebeam")
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).setGraph(graph);
    metadata.forEach((k, v) -> m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
    return m.build();
  }

  private static NodeProto node(NetworkGraph.Op op, String output, List<TensorProto> initializers) {
    NodeProto.Builder n = NodeProto.newBuilder().setName(op.name()).addOutput(output);
    if (op instanceof NetworkGraph.Conv c) {
      n.setOpType("Conv").addInput(in(c.input())).addInput(weight(c.weight(), initializers));
      if (c.bias() != null) {
        n.addInput(weight(c.bias(), initializers));
      }
      long[] p = c.pads();
      n.addAttribute(ints("kernel_shape", c.kernel())).addAttribute(ints("strides", c.strides()))
          .addAttribute(ints("pads", new long[] {p[0], p[1], p[0], p[1]})).addAttribute(ints("dilations", c.dilations()))
          .addAttribute(integer("group", c.groups()));
    } else if (op instanceof NetworkGraph.BatchNorm2 b) {
      n.setOpType("BatchNormalization").addInput(in(b.input()))
          .addInput(weight(b.gamma(), initializers)).addInput(weight(b.beta(), initializers))
          .addInput(weight(b.mean(), initializers)).addInput(weight(b.variance(), initializers))
          .addAttribute(real("epsilon", b.epsilon()));
    } else if (op instanceof NetworkGraph.Prelu pr) {
      // ONNX broadcasts the slopes from the right: [C, 1, 1] against [B, C, H, W]
      long[] view = new long[pr.inputRank() - 1];
      java.util.Arrays.fill(view, 1);
      view[0] = pr.slopes().values().length;
      n.setOpType("PRelu").addInput(in(pr.input()))
          .addInput(weight(new NetworkGraph.Weight(pr.slopes().name(), pr.slopes().values(), view), initializers));
    } else if (op instanceof NetworkGraph.Flatten f) {
      n.setOpType("Flatten").addInput(in(f.input())).addAttribute(integer("axis", 1));
    } else if (op instanceof NetworkGraph.Dense d) {
      n.setOpType("Gemm").addInput(in(d.input())).addInput(weight(d.weight(), initializers));
      if (d.bias() != null) {
        n.addInput(weight(d.bias(), initializers));
      }
      n.addAttribute(integer("transB", 1));
    } else if (op instanceof NetworkGraph.Add a) {
      n.setOpType("Add").addInput(in(a.left())).addInput(in(a.right()));
    }
    return n.build();
  }

  private static String in(String value) {
    return value.equals(NetworkGraph.INPUT) ? INPUT : value;
  }

  private static String weight(NetworkGraph.Weight w, List<TensorProto> initializers) {
    ByteBuffer bytes = ByteBuffer.allocate(w.values().length * 4).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(w.values());
    initializers.add(TensorProto.newBuilder().setName(w.name()).setDataType(TensorProto.DataType.FLOAT_VALUE)
        .addAllDims(java.util.Arrays.stream(w.dims()).boxed().toList()).setRawData(ByteString.copyFrom(bytes.array())).build());
    return w.name();
  }

  private static ValueInfoProto valueInfo(String name, int batch, long[] rest) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    shape.addDim(batch > 0 ? TensorShapeProto.Dimension.newBuilder().setDimValue(batch)
        : TensorShapeProto.Dimension.newBuilder().setDimParam("batch"));
    for (long d : rest) {
      shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
        TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape))).build();
  }

  private static AttributeProto ints(String name, long[] v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS)
        .addAllInts(java.util.Arrays.stream(v).boxed().toList()).build();
  }

  private static AttributeProto integer(String name, long v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
  }

  private static AttributeProto real(String name, float v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(v).build();
  }
}
