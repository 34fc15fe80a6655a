package dev.facebeam.export;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.facebeam.graph.GraphRunner;
import java.nio.FloatBuffer;
import java.util.Map;

/** An exported graph run by ONNX Runtime: a batch of preprocessed images in, embeddings out (row-major). */
public final class OnnxRunner implements GraphRunner {
  private final OrtEnvironment env;
  private final OrtSession session;

  public OnnxRunner(byte[] model) throws OrtException {
    env = dev.facebeam.embed.OnnxRuntimeLibrary.environment();
    try (OrtSession.SessionOptions o = dev.facebeam.embed.FaceModel.quietSession()) {
      session = env.createSession(model, o);
    }
  }

  @Override
  public float[] run(float[] input, int batch, int size) throws OrtException {
    try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), new long[] {batch, 3, size, size});
         OrtSession.Result r = session.run(Map.of(OnnxExport.INPUT, t))) {
      FloatBuffer out = ((OnnxTensor) r.get(0)).getFloatBuffer();
      float[] v = new float[out.remaining()];
      out.get(v);
      return v;
    }
  }

  @Override
  public void close() throws OrtException {
    session.close();
  }
}
