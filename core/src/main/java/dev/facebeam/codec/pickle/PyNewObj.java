package dev.facebeam.codec.pickle;

/**
 * An instance made by {@code cls.__new__(cls, *args)} (NEWOBJ), then, when {@code state} is not null,
 * given its state (BUILD): how a TorchScript archive pickles a module object. Compared by identity.
 */
public record PyNewObj(PyGlobal cls, PyTuple args, Object state) {
  @Override
  public boolean equals(Object o) {
    return this == o;
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(this);
  }
}
