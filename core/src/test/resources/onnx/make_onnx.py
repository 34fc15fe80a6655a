#!/usr/bin/env python3
"""Writes metadata.onnx with the onnx Python package (1.23.1 here): a one-node graph (Identity) whose
metadata_props hold a facebeam.model descriptor and one other key, placed after the graph as
onnx.save writes them. OnnxMetadataTest reads it: our reader against a file the real tool wrote.

  pip install onnx && python3 make_onnx.py
"""
import onnx
from onnx import TensorProto, helper

inp = helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 3, 112, 112])
out = helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", 3, 112, 112])
graph = helper.make_graph([helper.make_node("Identity", ["input"], ["embedding"])], "tiny", [inp], [out])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="onnx-python")
model.ir_version = 8
helper.set_model_props(model, {
    "facebeam.model": '{"name":"tiny","engine":"OnnxRuntime","inputSize":112,"mean":127.0,"scale":0.0078125,'
                      '"channelOrder":"BGR","embeddingSize":3}',
    "author": "make_onnx.py",
})
onnx.checker.check_model(model, full_check=True)
onnx.save(model, "metadata.onnx")
print("metadata.onnx", onnx.__version__)
