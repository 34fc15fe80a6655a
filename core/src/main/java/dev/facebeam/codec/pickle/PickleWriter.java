package dev.facebeam.codec.pickle;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a verification pack {@code (bins, issame_list)} as Python writes it with
 * {@code pickle.dump((bins, issame_list), f, protocol)} (docs/pickle.md): the same bytes, so
 * Python's {@code pickle.load} gives back exactly these objects. Each image is either {@code bytes}
 * or, as {@code cv2.imencode} returns it, an (N, 1) numpy uint8 array pickled as numpy 1.x pickles
 * it ({@code numpy.core.multiarray._reconstruct}, which numpy 1 and 2 both load).
 */
public final class PickleWriter {

  /** How each element of {@code bins} is stored. */
  public enum ElementForm { BYTES, NUMPY_UINT8 }

  private PickleWriter() {}

  public static void writePack(OutputStream out, List<byte[]> bins, boolean[] issame, int protocol, ElementForm form)
      throws IOException {
    if (form == ElementForm.NUMPY_UINT8 && protocol > 4) {
      throw new IllegalArgumentException("numpy elements are written at protocols 2 to 4 (numpy pickles protocol 5 "
          + "through out-of-band buffers), got " + protocol);
    }
    List<Object> elements = new ArrayList<>(bins.size());
    NumpyElements numpy = form == ElementForm.NUMPY_UINT8 ? new NumpyElements() : null;
    for (byte[] b : bins) {
      elements.add(numpy == null ? PythonPickler.bytes(b) : numpy.uint8Column(b));
    }
    List<Object> flags = new ArrayList<>(issame.length);
    for (boolean f : issame) {
      flags.add(f);
    }
    PythonPickler.dump(new PyTuple(List.of(elements, flags)), out, protocol);
  }

  public static byte[] packBytes(List<byte[]> bins, boolean[] issame, int protocol, ElementForm form) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try {
      writePack(b, bins, issame, protocol, form);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return b.toByteArray();
  }

  /** numpy 1.x's {@code ndarray.__reduce__} for uint8 arrays; one dtype object shared by all, as in numpy. */
  private static final class NumpyElements {
    private static final PyGlobal RECONSTRUCT = new PyGlobal("numpy.core.multiarray", "_reconstruct");
    private static final PyGlobal NDARRAY = new PyGlobal("numpy", "ndarray");
    private static final PyGlobal DTYPE = new PyGlobal("numpy", "dtype");
    private static final byte[] DUMMY_TYPECODE = PythonPickler.cBytes(new byte[] {'b'});

    private final PyReduce uint8 = new PyReduce(DTYPE, new PyTuple(List.of("u1", false, true)),
        new PyTuple(java.util.Arrays.asList(3, "|", null, null, null, -1, -1, 0)));

    PyReduce uint8Column(byte[] data) {
      PyTuple args = new PyTuple(List.of(NDARRAY, new PyTuple(List.of(0)), DUMMY_TYPECODE));
      PyTuple shape = new PyTuple(List.of(data.length, 1));
      PyTuple state = new PyTuple(java.util.Arrays.asList(1, shape, uint8, false, PythonPickler.cBytes(data)));
      return new PyReduce(RECONSTRUCT, args, state);
    }
  }
}
