package dev.facebeam.codec;

import static org.junit.Assert.assertArrayEquals;

import dev.facebeam.codec.pickle.PyGlobal;
import dev.facebeam.codec.pickle.PyNewObj;
import dev.facebeam.codec.pickle.PyPersistentId;
import dev.facebeam.codec.pickle.PyReduce;
import dev.facebeam.codec.pickle.PyTuple;
import dev.facebeam.codec.pickle.PythonPickler;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.Test;

/**
 * The pickler's object, dict and persistent-id shapes — those of a TorchScript archive's data.pkl
 * (docs/export.md) — against what CPython's pickle wrote for the same objects (make_module_pickle.py:
 * 1,200 tensors, so SETITEMS batches and 4-byte memo indices occur): the same bytes.
 */
public class PicklerModuleStateTest {
  @Test
  public void writesWhatCpythonWritesForAModuleObject() throws Exception {
    byte[] expected;
    try (InputStream in = new GZIPInputStream(PicklerModuleStateTest.class.getResourceAsStream("/pickles/module_state.pkl.gz"))) {
      expected = in.readAllBytes();
    }
    PyGlobal rebuild = new PyGlobal("torch._utils", "_rebuild_tensor_v2");
    PyGlobal storage = new PyGlobal("torch", "FloatStorage");
    PyGlobal orderedDict = new PyGlobal("collections", "OrderedDict");
    Map<String, Object> state = new LinkedHashMap<>();
    for (int i = 0; i < 1200; i++) {
      long[] dims = {i % 7 + 1, 3, 300L * (i % 3) + 1};
      List<Object> size = new ArrayList<>();
      List<Object> stride = new ArrayList<>();
      long step = 1;
      for (int k = dims.length - 1; k >= 0; k--) {
        stride.add(0, step);
        step *= dims[k];
      }
      for (long d : dims) {
        size.add(d);
      }
      PyPersistentId id = new PyPersistentId(new PyTuple(List.of("storage", storage, Integer.toString(i), "cpu", step)));
      state.put("w" + i, new PyReduce(rebuild, new PyTuple(List.of(id, 0L, new PyTuple(size), new PyTuple(stride), i % 2 == 0,
          new PyReduce(orderedDict, new PyTuple(List.of()), null))), null));
    }
    state.put("training", false);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PythonPickler.dump(new PyNewObj(new PyGlobal("__torch__", "FaceNet"), new PyTuple(List.of()), state), out, 2);
    assertArrayEquals(expected, out.toByteArray());
  }
}
