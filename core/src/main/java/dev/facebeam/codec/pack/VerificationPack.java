package dev.facebeam.codec.pack;

import dev.facebeam.UserInputException;
import dev.facebeam.codec.pickle.NdArray;
import dev.facebeam.codec.pickle.PickleWriter;
import dev.facebeam.codec.pickle.PyTuple;
import dev.facebeam.codec.pickle.SafeUnpickler;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An InsightFace verification {@code .bin}: 2P encoded images and P same/different flags, where
 * images 2i and 2i+1 form pair i (docs/pickle.md). Reading goes through {@link SafeUnpickler}.
 */
public record VerificationPack(List<byte[]> images, boolean[] issame) {

  /** Packs are JPEG bytes of 112x112 faces; a 2 GiB bound keeps one pack within a Java array. */
  public static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 64;

  public int pairs() {
    return issame.length;
  }

  public int positives() {
    int n = 0;
    for (boolean b : issame) {
      n += b ? 1 : 0;
    }
    return n;
  }

  public static VerificationPack read(Path file) {
    long size;
    try {
      size = Files.size(file);
    } catch (IOException e) {
      throw new UserInputException(file.toString(), "cannot read verification pack: " + e.getMessage(), e);
    }
    if (size > MAX_FILE_BYTES) {
      throw new UserInputException(file.toString(), "verification pack of " + size + " bytes is larger than 2 GiB");
    }
    if (size == 0) {
      throw new UserInputException(file.toString(), "empty file: not a verification pack");
    }
    byte[] data;
    try {
      data = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UserInputException(file.toString(), "cannot read verification pack: " + e.getMessage(), e);
    }
    return parse(data, file.toString());
  }

  public static VerificationPack parse(byte[] data, String source) {
    if (data.length < 2 || (data[0] & 0xFF) != 0x80) {
      throw new UserInputException(source, "not a pickle of protocol 2 or later (no PROTO opcode at the start)");
    }
    Object top = SafeUnpickler.load(data, source);
    List<Object> parts = sequence(top);
    if (parts == null || parts.size() != 2) {
      throw new UserInputException(source, "expected the pair (bins, issame_list) at the top level");
    }
    List<Object> bins = sequence(parts.get(0));
    if (bins == null) {
      throw new UserInputException(source, "bins is not a list");
    }
    List<byte[]> images = new ArrayList<>(bins.size());
    for (int i = 0; i < bins.size(); i++) {
      images.add(imageBytes(bins.get(i), source, i));
    }
    boolean[] issame = flags(parts.get(1), source);
    if (images.isEmpty()) {
      throw new UserInputException(source, "empty pack: no images");
    }
    if (images.size() % 2 != 0) {
      throw new UserInputException(source, "odd image count " + images.size() + ": images come in pairs");
    }
    if (issame.length != images.size() / 2) {
      throw new UserInputException(source, "issame_list has " + issame.length + " entries but the pack holds "
          + images.size() / 2 + " pairs (" + images.size() + " images)");
    }
    return new VerificationPack(images, issame);
  }

  private static List<Object> sequence(Object o) {
    if (o instanceof PyTuple t) {
      return t.items();
    }
    if (o instanceof List<?> l) {
      @SuppressWarnings("unchecked")
      List<Object> list = (List<Object>) l;
      return list;
    }
    return null;
  }

  private static byte[] imageBytes(Object o, String source, int i) {
    if (o instanceof byte[] b) {
      return b;
    }
    if (o instanceof NdArray a) {
      // cv2.imencode gives shape (N, 1); other writers give (N,). Either way: one run of uint8 bytes.
      long nonUnit = java.util.Arrays.stream(a.shape()).filter(d -> d != 1).count();
      if (a.data() == null || !a.dtype().equals("u1") || nonUnit > 1) {
        throw new UserInputException(source + "#image=" + i, "numpy element of dtype " + a.dtype() + " and shape "
            + java.util.Arrays.toString(a.shape()) + " is not a vector of encoded uint8 bytes");
      }
      return a.data();
    }
    throw new UserInputException(source + "#image=" + i, "element is " + (o == null ? "None" : o.getClass().getSimpleName())
        + ", not bytes or a numpy uint8 array");
  }

  private static boolean[] flags(Object o, String source) {
    if (o instanceof NdArray a) {
      if (a.shape().length != 1 || (!a.dtype().equals("b1") && !a.dtype().equals("u1"))) {
        throw new UserInputException(source, "issame_list is a numpy array of dtype " + a.dtype() + ", not bool");
      }
      boolean[] f = new boolean[a.data().length];
      for (int i = 0; i < f.length; i++) {
        f[i] = a.data()[i] != 0;
      }
      return f;
    }
    List<Object> list = sequence(o);
    if (list == null) {
      throw new UserInputException(source, "issame_list is not a list");
    }
    boolean[] f = new boolean[list.size()];
    for (int i = 0; i < f.length; i++) {
      Object v = list.get(i);
      if (v instanceof Boolean b) {
        f[i] = b;
      } else if (v instanceof Long l && (l == 0 || l == 1)) {
        f[i] = l == 1;
      } else {
        throw new UserInputException(source + "#pair=" + i, "issame entry is " + v + ", not a bool");
      }
    }
    return f;
  }

  /** Writes the pack with Python's pickle layout; protocol 2 or 4. */
  public void write(Path file, int protocol, PickleWriter.ElementForm form) throws IOException {
    if (images.size() != 2 * issame.length) {
      throw new IllegalArgumentException(images.size() + " images for " + issame.length + " pairs");
    }
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
      PickleWriter.writePack(out, images, issame, protocol, form);
    }
  }
}
