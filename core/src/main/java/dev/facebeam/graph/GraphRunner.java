package dev.facebeam.graph;

/** An exported graph run by the engine users run it with: a batch of preprocessed images in, embeddings out (row-major). */
public interface GraphRunner extends AutoCloseable {
  /** {@code input}: [batch, 3, size, size] row-major. */
  float[] run(float[] input, int batch, int size) throws Exception;

  @Override
  void close() throws Exception;
}
