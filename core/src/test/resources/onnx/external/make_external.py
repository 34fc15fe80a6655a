#!/usr/bin/env python3
"""Writes ONNX models whose weight lives in an external data file (onnx 1.23.1, numpy 2.4):

  inside.onnx + weights.bin   the weight beside the model, as onnx.save(save_as_external_data=True)
                              writes it: a model facebeam must load (8-d embeddings).
  escape.onnx                 the same graph, its weight's location '../../secret.txt' (outside the folder)
  absolute.onnx               location '/etc/hostname'
  nested.onnx                 the escaping tensor inside a node attribute (a Constant's value), not an initializer

The graph: embedding = ReduceMean(input, axes=[2,3]) @ W, W float32 [3, 8].
ModelSpecExternalDataTest reads them; ONNX Runtime 1.30 (Python) refuses escape.onnx itself
("escapes model directory"); the ONNX Runtime facebeam bundles did not, so facebeam checks first.

  pip install onnx numpy && python3 make_external.py
"""
import os
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

W = (np.arange(24, dtype=np.float32).reshape(3, 8) - 11.5) / 8.0


def graph(weight_as_constant=False):
    inp = helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 3, 112, 112])
    out = helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", 8])
    w = numpy_helper.from_array(W, "W")
    nodes = [helper.make_node("ReduceMean", ["input"], ["m"], axes=[2, 3], keepdims=0)]
    inits = []
    if weight_as_constant:
        nodes.insert(0, helper.make_node("Constant", [], ["W"], value=w))
    else:
        inits.append(w)
    nodes.append(helper.make_node("MatMul", ["m", "W"], ["embedding"]))
    g = helper.make_graph(nodes, "external", [inp], [out], initializer=inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)], producer_name="onnx-python")
    m.ir_version = 8
    return m


def point_outside(tensor, location):
    tensor.ClearField("raw_data")
    tensor.data_location = TensorProto.EXTERNAL
    del tensor.external_data[:]
    for k, v in (("location", location), ("offset", "0"), ("length", str(W.nbytes))):
        e = tensor.external_data.add()
        e.key, e.value = k, v


m = graph()
onnx.save_model(m, "inside.onnx", save_as_external_data=True, all_tensors_to_one_file=True,
                location="weights.bin", size_threshold=0)
for name, location in (("escape.onnx", "../../secret.txt"), ("absolute.onnx", "/etc/hostname")):
    m = graph()
    point_outside(m.graph.initializer[0], location)
    onnx.save_model(m, name)
m = graph(weight_as_constant=True)
point_outside(m.graph.node[0].attribute[0].t, "../../secret.txt")
onnx.save_model(m, "nested.onnx")
for f in sorted(os.listdir(".")):
    print(f, os.path.getsize(f))
print("onnx", onnx.__version__)
