package dev.facebeam.graph;

import dev.facebeam.codec.pickle.PyGlobal;
import dev.facebeam.codec.pickle.PyNewObj;
import dev.facebeam.codec.pickle.PyPersistentId;
import dev.facebeam.codec.pickle.PyReduce;
import dev.facebeam.codec.pickle.PyTuple;
import dev.facebeam.codec.pickle.PythonPickler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A {@link NetworkGraph} as a TorchScript archive (docs/export.md): the zip {@code torch.jit.save}
 * writes — {@code code/__torch__.py} (the module class and its {@code forward} in TorchScript),
 * {@code data.pkl} (the module object, pickled with protocol 2; tensors rebuilt by
 * {@code torch._utils._rebuild_tensor_v2} from storages in {@code data/<n>}), {@code constants.pkl},
 * {@code version}, {@code byteorder}, and the extra files ({@code extra/<name>}, which
 * {@code torch.jit.load(f, _extra_files=...)} reads). The forward pass calls the ATen operators the
 * graph needs, with BatchNorm in inference mode; weights are parameters, running statistics buffers,
 * each an attribute named after its place in the block tree.
 */
public final class TorchScriptExport {
  /** The extra file that carries the model descriptor (the preprocessing), as ONNX's metadata does. */
  public static final String METADATA = "facebeam.model.json";
  static final String ARCHIVE = "facebeam";
  static final String CLASS = "FaceNet";
  /** The archive format version: 3 needs no operator upgraders for these operators (what torch 2.x writes for them). */
  static final String VERSION = "3";

  private final Map<NetworkGraph.Weight, String> attributes = new LinkedHashMap<>();
  private final Set<String> names = new HashSet<>(Set.of("training", "forward", "input", "x"));
  private final Set<NetworkGraph.Weight> buffers = new HashSet<>();
  private final Map<String, String> values = new LinkedHashMap<>();

  private TorchScriptExport() {}

  /** The archive's bytes; {@code extraFiles} by name (e.g. {@link #METADATA}). */
  public static byte[] export(NetworkGraph net, Map<String, String> extraFiles) {
    return export(net, extraFiles, false);
  }

  /**
   * {@code channelsLast}: the forward pass first lays the input out channels-last (NHWC in memory),
   * which the convolutions then keep: oneDNN's faster kernels on CPU, depthwise ones above all
   * (PyTorch's own recipe for inference; the values stay those of the NCHW graph up to rounding).
   */
  public static byte[] export(NetworkGraph net, Map<String, String> extraFiles, boolean channelsLast) {
    TorchScriptExport e = new TorchScriptExport();
    String code = e.code(net, channelsLast);
    StoredZip zip = new StoredZip();
    zip.add(ARCHIVE + "/data.pkl", e.dataPickle());
    zip.add(ARCHIVE + "/code/__torch__.py", code.getBytes(StandardCharsets.UTF_8));
    zip.add(ARCHIVE + "/constants.pkl", pickle(new PyTuple(List.of())));
    zip.add(ARCHIVE + "/version", (VERSION + "\n").getBytes(StandardCharsets.US_ASCII));
    int key = 0;
    for (NetworkGraph.Weight w : e.attributes.keySet()) {
      ByteBuffer b = ByteBuffer.allocate(w.values().length * 4).order(ByteOrder.LITTLE_ENDIAN);
      b.asFloatBuffer().put(w.values());
      zip.add(ARCHIVE + "/data/" + key++, b.array());
    }
    extraFiles.forEach((name, text) -> zip.add(ARCHIVE + "/extra/" + name, text.getBytes(StandardCharsets.UTF_8)));
    zip.add(ARCHIVE + "/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
    return zip.finish();
  }

  private String code(NetworkGraph net, boolean channelsLast) {
    List<String> body = new ArrayList<>();
    int serial = 0;
    values.put(NetworkGraph.INPUT, "input");
    if (channelsLast) {
      body.add("    x = torch.contiguous(input, memory_format=2)"); // 2: torch.channels_last
      values.put(NetworkGraph.INPUT, "x");
    }
    for (NetworkGraph.Op op : net.ops()) {
      String out = "v" + serial++;
      body.add("    " + out + " = " + call(op));
      values.put(op.output(), out);
    }
    StringBuilder s = new StringBuilder("class " + CLASS + "(Module):\n");
    s.append("  __parameters__ = [").append(list(false)).append("]\n");
    s.append("  __buffers__ = [").append(list(true)).append("]\n");
    s.append("  training : bool\n");
    for (String a : attributes.values()) {
      s.append("  ").append(a).append(" : Tensor\n");
    }
    s.append("  def forward(self: __torch__.").append(CLASS).append(",\n    input: Tensor) -> Tensor:\n");
    body.forEach(line -> s.append(line).append('\n'));
    s.append("    return ").append(values.get(net.output())).append('\n');
    return s.toString();
  }

  private String call(NetworkGraph.Op op) {
    if (op instanceof NetworkGraph.Conv c) {
      return "torch.conv2d(" + in(c.input()) + ", " + attr(c.weight(), false) + ", " + (c.bias() == null ? "None" : attr(c.bias(), false))
          + ", " + ints(c.strides()) + ", " + ints(c.pads()) + ", " + ints(c.dilations()) + ", " + c.groups() + ")";
    }
    if (op instanceof NetworkGraph.BatchNorm2 b) {
      // training False: the running statistics; momentum is unused then; cudnn_enabled as nn.BatchNorm2d passes it
      return "torch.batch_norm(" + in(b.input()) + ", " + attr(b.gamma(), false) + ", " + attr(b.beta(), false) + ", "
          + attr(b.mean(), true) + ", " + attr(b.variance(), true) + ", False, 0.10000000000000001, " + real(b.epsilon()) + ", True)";
    }
    if (op instanceof NetworkGraph.Prelu p) {
      return "torch.prelu(" + in(p.input()) + ", " + attr(p.slopes(), false) + ")"; // slopes [C]: one per channel (axis 1)
    }
    if (op instanceof NetworkGraph.Flatten f) {
      return "torch.flatten(" + in(f.input()) + ", 1)";
    }
    if (op instanceof NetworkGraph.Dense d) {
      return "torch.linear(" + in(d.input()) + ", " + attr(d.weight(), false) + ", " + (d.bias() == null ? "None" : attr(d.bias(), false)) + ")";
    }
    NetworkGraph.Add a = (NetworkGraph.Add) op;
    return "torch.add(" + in(a.left()) + ", " + in(a.right()) + ")";
  }

  private String in(String value) {
    String v = values.get(value);
    if (v == null) {
      throw new IllegalStateException("value " + value + " is used before it is made");
    }
    return v;
  }

  private String attr(NetworkGraph.Weight w, boolean buffer) {
    String name = attributes.get(w);
    if (name == null) {
      String base = w.name().replaceAll("[^A-Za-z0-9_]", "_");
      base = Character.isDigit(base.charAt(0)) ? "w_" + base : base;
      name = base;
      for (int k = 2; !names.add(name); k++) {
        name = base + "_" + k;
      }
      attributes.put(w, name);
      if (buffer) {
        buffers.add(w);
      }
    }
    return "self." + name;
  }

  private String list(boolean buffer) {
    StringBuilder s = new StringBuilder();
    attributes.forEach((w, name) -> {
      if (buffers.contains(w) == buffer) {
        s.append('"').append(name).append("\", ");
      }
    });
    return s.toString();
  }

  /** The module object: every attribute's tensor, from storage n for the n-th attribute, and training = False. */
  private byte[] dataPickle() {
    PyGlobal rebuild = new PyGlobal("torch._utils", "_rebuild_tensor_v2");
    PyGlobal floatStorage = new PyGlobal("torch", "FloatStorage");
    PyGlobal orderedDict = new PyGlobal("collections", "OrderedDict");
    Map<String, Object> state = new LinkedHashMap<>();
    int key = 0;
    for (Map.Entry<NetworkGraph.Weight, String> a : attributes.entrySet()) {
      long[] dims = a.getKey().dims();
      List<Object> size = new ArrayList<>();
      List<Object> stride = new ArrayList<>();
      long step = 1;
      for (int i = dims.length - 1; i >= 0; i--) {
        stride.add(0, step);
        step *= dims[i];
      }
      for (long d : dims) {
        size.add(d);
      }
      PyPersistentId storage = new PyPersistentId(new PyTuple(List.of("storage", floatStorage, Integer.toString(key++), "cpu",
          (long) a.getKey().values().length)));
      state.put(a.getValue(), new PyReduce(rebuild, new PyTuple(List.of(storage, 0L, new PyTuple(size), new PyTuple(stride),
          !buffers.contains(a.getKey()), new PyReduce(orderedDict, new PyTuple(List.of()), null))), null));
    }
    state.put("training", false);
    return pickle(new PyNewObj(new PyGlobal("__torch__", CLASS), new PyTuple(List.of()), state));
  }

  private static byte[] pickle(Object o) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try {
      PythonPickler.dump(o, b, 2);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return b.toByteArray();
  }

  private static String ints(long[] v) {
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < v.length; i++) {
      s.append(i > 0 ? ", " : "").append(v[i]);
    }
    return s.append(']').toString();
  }

  /** The float32 value as a TorchScript float literal that parses to exactly that value. */
  static String real(float f) {
    return Double.toString(f).toLowerCase(Locale.ROOT);
  }
}
