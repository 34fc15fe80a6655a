package dev.facebeam.codec.pickle;

/**
 * An object that Python pickles through {@code __reduce__}: {@code callable(*args)} then, when
 * {@code state} is not null, {@code BUILD} with it. Compared by identity, as the pickler's memo is:
 * one instance written twice becomes one object and a memo reference.
 */
public final class PyReduce {
  final PyGlobal callable;
  final PyTuple args;
  final Object state;

  public PyReduce(PyGlobal callable, PyTuple args, Object state) {
    this.callable = callable;
    this.args = args;
    this.state = state;
  }
}
