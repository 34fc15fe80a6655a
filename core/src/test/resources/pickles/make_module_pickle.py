#!/usr/bin/env python3
"""Writes module_state.pkl: what CPython's pickle (protocol 2) writes for the shapes of a TorchScript
archive's data.pkl — an object made by NEWOBJ with a dict state (BUILD), tensors as
torch._utils._rebuild_tensor_v2 reductions over persistent-id storages, an OrderedDict() reduction —
with 1,200 attributes, so the dict's SETITEMS batches of 1,000 and the memo's 4-byte indices are
exercised. PythonPicklerModuleTest builds the same objects in Java and compares the bytes. No torch
is needed: stand-in classes pickle under torch's names.

  python3 make_module_pickle.py
"""
import collections, copyreg, io, pickle, sys, types

torch_utils = types.ModuleType("torch._utils"); sys.modules["torch._utils"] = torch_utils
torch_mod = types.ModuleType("torch"); sys.modules["torch"] = torch_mod
ts = types.ModuleType("__torch__"); sys.modules["__torch__"] = ts


def _rebuild_tensor_v2(*a):
    pass


_rebuild_tensor_v2.__module__ = "torch._utils"; torch_utils._rebuild_tensor_v2 = _rebuild_tensor_v2


class FloatStorage:
    pass


FloatStorage.__module__ = "torch"; FloatStorage.__qualname__ = "FloatStorage"; torch_mod.FloatStorage = FloatStorage


class FaceNet:
    def __init__(self, state):
        self.state = state

    def __reduce_ex__(self, protocol):
        return (copyreg.__newobj__, (FaceNet,), self.state)


FaceNet.__module__ = "__torch__"; ts.FaceNet = FaceNet


class Tensor:
    def __init__(self, key, dims, grad):
        self.key, self.dims, self.grad = key, dims, grad

    def __reduce__(self):
        stride, step = [], 1
        for d in reversed(self.dims):
            stride.insert(0, step); step *= d
        return (_rebuild_tensor_v2, (Storage(self.key, step), 0, tuple(self.dims), tuple(stride), self.grad,
                                     collections.OrderedDict()))


class Storage:
    def __init__(self, key, numel):
        self.key, self.numel = key, numel


class P(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, Storage):
            return ("storage", FloatStorage, obj.key, "cpu", obj.numel)
        return None


state = {}
for i in range(1200):
    state["w%d" % i] = Tensor(str(i), [i % 7 + 1, 3, 300 * (i % 3) + 1], i % 2 == 0)
state["training"] = False
buf = io.BytesIO()
P(buf, protocol=2).dump(FaceNet(state))
open("module_state.pkl", "wb").write(buf.getvalue())
print("module_state.pkl", len(buf.getvalue()), sys.version.split()[0])
