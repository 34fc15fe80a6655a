package dev.facebeam.codec.pickle;

import java.util.List;

/** A Python tuple (kept apart from lists: the pack layout distinguishes nothing by it, numpy does). */
public record PyTuple(List<Object> items) {
  public int size() {
    return items.size();
  }

  public Object get(int i) {
    return items.get(i);
  }
}
