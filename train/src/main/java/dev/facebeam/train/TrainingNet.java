package dev.facebeam.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import dev.facebeam.models.loss.MarginSoftmax;

/**
 * What is trained: the embedding network, and for classification losses the fc7 classifier (C × E,
 * Normal(0.01) as the seed initialises it, plus a zero bias for plain softmax unless fc7_no_bias).
 * Input: [images, labels]; output: the head's logits, or the embeddings for triplet losses.
 */
final class TrainingNet extends AbstractBlock {
  final Block embedding;
  final Parameter fc7Weight;
  final Parameter fc7Bias;
  private final MarginSoftmax head;
  private final int classes;
  private final int emb;

  TrainingNet(Block embedding, MarginSoftmax head, int classes, int emb, boolean bias) {
    super((byte) 1);
    this.embedding = addChildBlock("embedding", embedding);
    this.head = head;
    this.classes = classes;
    this.emb = emb;
    if (head == null) {
      fc7Weight = null;
      fc7Bias = null;
      return;
    }
    // OTHER, not WEIGHT: the trainer's Xavier initialiser must not replace the seed's Normal(0.01).
    fc7Weight = addParameter(Parameter.builder().setName("fc7_weight").setType(Parameter.Type.OTHER)
        .optInitializer(new NormalInitializer(0.01f)).optShape(new Shape(classes, emb)).build());
    fc7Bias = bias ? addParameter(Parameter.builder().setName("fc7_bias").setType(Parameter.Type.BIAS)
        .optShape(new Shape(classes)).build()) : null;
  }

  @Override
  protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.get(0);
    NDArray e = embedding.forward(store, new NDList(x), training, params).singletonOrThrow();
    if (head == null) {
      return new NDList(e);
    }
    NDArray w = store.getValue(fc7Weight, x.getDevice(), training);
    NDArray b = fc7Bias == null ? null : store.getValue(fc7Bias, x.getDevice(), training);
    return new NDList(head.logits(e, w, b, inputs.get(1)));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {new Shape(inputShapes[0].get(0), head == null ? emb : classes)};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    embedding.initialize(manager, dataType, inputShapes[0]);
  }
}
