package dev.facebeam.codec.pickle;

/** A Python global ({@code module.name}) that the allowlist let through. */
public record PyGlobal(String module, String name) {
  public String qualified() {
    return module + "." + name;
  }
}
