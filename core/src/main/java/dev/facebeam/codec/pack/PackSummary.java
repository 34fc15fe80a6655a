package dev.facebeam.codec.pack;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/** What the driver learned about a pack while opening it. */
public record PackSummary(long declaredIdentities, long pairs, long positivePairs,
    Map<String, String> parameters, List<String> warnings) implements Serializable {}
