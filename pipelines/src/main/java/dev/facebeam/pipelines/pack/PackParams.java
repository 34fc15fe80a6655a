package dev.facebeam.pipelines.pack;

import dev.facebeam.codec.pickle.PickleWriter;
import java.nio.file.Path;

/**
 * What pack reads and writes: the input pack and its format, the .rec or .bin to write, for a .bin
 * the pairs list (may be null for a .rec), the pickle protocol and element form, for a .rec whether to
 * write the header records, the JPEG quality of aligned faces and the root a .lst stays in (may be null).
 */
public record PackParams(Path input, Path output, String format, Path pairs, int protocol, PickleWriter.ElementForm elements,
    boolean header, int quality, Path imageRoot) {}
