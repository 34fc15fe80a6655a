package dev.facebeam.export;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import com.google.protobuf.ByteString;
import dev.facebeam.embed.BlockInternals;
import dev.facebeam.models.ChannelPrelu;
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
 * A DJL face network in inference form as an ONNX graph (docs/export.md): BatchNorm with its running
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

  private final List<NodeProto> nodes = new ArrayList<>();
  private final List<TensorProto> initializers = new ArrayList<>();
  private int serial;

  private OnnxExport() {}

  /**
   * The graph of {@code block} (initialised, with its trained parameters) for inputs of {@code input}
   * shape ([1, 3, H, W]); {@code batch} 0 for a dynamic batch; {@code metadata} goes to the model's metadata_props.
   */
  public static ModelProto export(Block block, Shape input, int opset, int batch, Map<String, String> metadata) {
    if (opset < MIN_OPSET || opset > MAX_OPSET) {
      throw new IllegalArgumentException("opset " + opset + " is not supported (" + MIN_OPSET + " to " + MAX_OPSET + ")");
    }
    OnnxExport e = new OnnxExport();
    Value out = e.walk(block, new Value(INPUT, input), "net");
    // the last node writes the output name the graph promises
    NodeProto last = e.nodes.remove(e.nodes.size() - 1);
    e.nodes.add(last.toBuilder().setOutput(0, OUTPUT).build());
    if (!last.getOutput(0).equals(out.name())) {
      throw new IllegalStateException("the network does not end in a node");
    }
    GraphProto graph = GraphProto.newBuilder().setName("facebeam")
        .addAllNode(e.nodes).addAllInitializer(e.initializers)
        .addInput(valueInfo(INPUT, batch, input.slice(1).getShape()))
        .addOutput(valueInfo(OUTPUT, batch, out.shape().slice(1).getShape()))
        .build();
    ModelProto.Builder m = ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName("facebeam")
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).setGraph(graph);
    metadata.forEach((k, v) -> m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
    return m.build();
  }

  /** A tensor name and its shape (batch 1) as it flows through the walk. */
  private record Value(String name, Shape shape) {}

  private Value walk(Block b, Value x, String path) {
    if (b instanceof SequentialBlock s) {
      Value v = x;
      for (var child : s.getChildren()) {
        v = walk(child.getValue(), v, path + "." + child.getKey());
      }
      return v;
    }
    if (b instanceof ParallelBlock p) {
      // Every ParallelBlock in these networks sums its branches (a residual unit); the parity check
      // would catch a network where that is not so.
      List<Value> branches = new ArrayList<>();
      for (var child : p.getChildren()) {
        branches.add(walk(child.getValue(), x, path + "." + child.getKey()));
      }
      if (branches.size() != 2) {
        throw new UnsupportedOperationException(path + ": a parallel block of " + branches.size() + " branches is not a residual sum");
      }
      return node("Add", path + ".add", List.of(branches.get(0).name(), branches.get(1).name()), List.of(), x.shape(), b);
    }
    if (b instanceof Conv2d c) {
      List<String> in = new ArrayList<>(List.of(x.name(), weight(path + ".weight", param(c, "weight"))));
      if (c.isIncludeBias()) {
        in.add(weight(path + ".bias", param(c, "bias")));
      }
      Shape k = c.getKernelShape();
      Shape pad = c.getPadding();
      List<AttributeProto> attrs = List.of(ints("kernel_shape", k.getShape()), ints("strides", c.getStride().getShape()),
          ints("pads", new long[] {pad.get(0), pad.get(1), pad.get(0), pad.get(1)}), ints("dilations", c.getDilation().getShape()),
          integer("group", c.getGroups()));
      return node("Conv", path, in, attrs, x.shape(), b);
    }
    if (b instanceof BatchNorm n) {
      int axis = BlockInternals.axis(n);
      if (axis != 1) {
        throw new UnsupportedOperationException(path + ": BatchNorm over axis " + axis + " (ONNX normalises axis 1)");
      }
      List<String> in = List.of(x.name(), weight(path + ".gamma", param(n, "gamma")), weight(path + ".beta", param(n, "beta")),
          weight(path + ".running_mean", param(n, "runningMean")), weight(path + ".running_var", param(n, "runningVar")));
      return node("BatchNormalization", path, in, List.of(real("epsilon", BlockInternals.epsilon(n))), x.shape(), b);
    }
    if (b instanceof ChannelPrelu prelu) {
      NDArray alpha = prelu.slopes();
      long[] view = new long[x.shape().dimension() - 1];
      java.util.Arrays.fill(view, 1);
      view[0] = alpha.getShape().get(0);
      String slope = weight(path + ".alpha", alpha.toFloatArray(), view);
      return node("PRelu", path, List.of(x.name(), slope), List.of(), x.shape(), b);
    }
    if (b instanceof Dropout) {
      return x; // inference: dropout is the identity
    }
    if (b instanceof Linear l) {
      if (x.shape().dimension() != 2) {
        throw new UnsupportedOperationException(path + ": Linear on a rank-" + x.shape().dimension() + " input");
      }
      List<String> in = new ArrayList<>(List.of(x.name(), weight(path + ".weight", param(l, "weight"))));
      Parameter bias = l.getParameters().get("bias");
      if (bias != null) {
        in.add(weight(path + ".bias", bias.getArray().toFloatArray(), bias.getArray().getShape().getShape()));
      }
      return node("Gemm", path, in, List.of(integer("transB", 1)), x.shape(), b);
    }
    if (b instanceof LambdaBlock lambda) {
      String name = lambda.getName();
      Shape out = b.getOutputShapes(new Shape[] {x.shape()})[0];
      if (out.equals(x.shape()) && name.toLowerCase(java.util.Locale.ROOT).contains("identity")) {
        return x;
      }
      if (name.toLowerCase(java.util.Locale.ROOT).contains("flatten") && out.dimension() == 2) {
        return node("Flatten", path, List.of(x.name()), List.of(integer("axis", 1)), x.shape(), b);
      }
      throw new UnsupportedOperationException(path + ": no ONNX form for the lambda block '" + name + "'");
    }
    throw new UnsupportedOperationException(path + ": no ONNX form for " + b.getClass().getSimpleName());
  }

  private Value node(String op, String name, List<String> inputs, List<AttributeProto> attrs, Shape in, Block b) {
    Shape out = b.getOutputShapes(new Shape[] {in})[0];
    String output = name + ":" + (serial++);
    nodes.add(NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs).addOutput(output).addAllAttribute(attrs).build());
    return new Value(output, out);
  }

  private String weight(String name, NDArray a) {
    return weight(name, a.toFloatArray(), a.getShape().getShape());
  }

  private String weight(String name, float[] values, long[] dims) {
    ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(values);
    initializers.add(TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
        .addAllDims(java.util.Arrays.stream(dims).boxed().toList()).setRawData(ByteString.copyFrom(bytes.array())).build());
    return name;
  }

  private static NDArray param(Block b, String name) {
    Parameter p = b.getParameters().get(name);
    if (p == null || !p.isInitialized()) {
      throw new IllegalStateException(b.getClass().getSimpleName() + " has no initialised parameter '" + name + "'");
    }
    return p.getArray();
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
