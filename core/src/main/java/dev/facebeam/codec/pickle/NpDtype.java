package dev.facebeam.codec.pickle;

/** {@code numpy.dtype(name, align, copy)}; only fixed-size scalar kinds are accepted. */
final class NpDtype {
  final String name;

  NpDtype(String name) {
    this.name = name;
  }

  /** Bytes per element, or -1 for kinds a face pack never holds. */
  int itemSize() {
    return switch (name) {
      case "u1", "i1", "b1", "uint8", "int8", "bool" -> 1;
      case "u2", "i2", "f2" -> 2;
      case "u4", "i4", "f4", "float32", "int32" -> 4;
      case "u8", "i8", "f8", "float64", "int64" -> 8;
      default -> -1;
    };
  }

  /** The short form numpy uses in array reprs ({@code uint8} → {@code u1}). */
  String canonical() {
    return switch (name) {
      case "uint8" -> "u1";
      case "int8" -> "i1";
      case "bool" -> "b1";
      case "float32" -> "f4";
      case "int32" -> "i4";
      case "float64" -> "f8";
      case "int64" -> "i8";
      default -> name;
    };
  }
}
