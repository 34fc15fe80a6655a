#!/usr/bin/env python3
"""Writes metadata.pt with torch.jit.save (torch 2.13.0+cpu here): a tiny scripted module (the image
averaged to 1x1, a 1x1 convolution, flattened: a 3-d vector per image) with the facebeam.model.json
extra file that facebeam's TorchScript export writes, and one other extra file. TorchScriptMetadataTest reads it (our reader against a file the real tool wrote), and
loads it in DJL's PyTorch engine through embed's model loading with no flags.

  pip install torch && python3 make_torchscript.py
"""
import torch


class Tiny(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 3, 1)

    def forward(self, x):
        return torch.flatten(self.conv(torch.nn.functional.adaptive_avg_pool2d(x, 1)), 1)


torch.manual_seed(0)
m = torch.jit.script(Tiny().eval())
descriptor = ('{"name":"tiny-ts","engine":"PyTorch","inputSize":112,"mean":127.0,"scale":0.0078125,'
              '"channelOrder":"BGR","embeddingSize":3}')
torch.jit.save(m, "metadata.pt", _extra_files={"facebeam.model.json": descriptor, "author": "make_torchscript.py"})
print("metadata.pt", torch.__version__)
