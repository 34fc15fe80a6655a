#!/usr/bin/env python3
"""Embedding speed of MobileFaceNet y1 and IResNet-50: facebeam (DJL, PyTorch engine) against PyTorch itself, in one session.

PyTorch side (the local torch wheel, CPU, threads = cores): the same network written in torch --
checked against facebeam's by learnable-parameter count and multiply-accumulates -- in eager
`inference_mode`, and at its best setting (`jit.trace` + `jit.freeze`, which folds BatchNorm, on
channels_last). facebeam side: `java -jar facebeam.jar bench-embed`, whose raw forward loop runs
the trained form and the inference form (BatchNorm folded, as TorchScript, channels-last) on the same batch size. Random inputs of
the same shape on both sides (the compute does not depend on the values). PyTorch is timed before
and after the Java run; the best of each is kept. Prints a table with the ratios.

  python3 scripts/bench_embed_torch.py [--network y1|r50] [--jar runners/target/facebeam.jar] [--batch 32] [--passes 8]
"""
import argparse
import os
import re
import subprocess
import time

import torch
import torch.nn as nn

# facebeam's NetworkStats for y1 with a 128-d embedding (models/NetworkStats, printed by the tests).
Y1_PARAMETERS = 1_003_136
Y1_MACS = 220_965_376
R50_PARAMETERS = 43_590_336
R50_MACS = 6_309_330_944


class ConvBn(nn.Sequential):
    """Conv (no bias) + BN (eps 1e-3), and PReLU per channel unless linear: MobileFaceNet.conv / .linear."""

    def __init__(self, cin, cout, k, s, p, groups, act=True):
        layers = [nn.Conv2d(cin, cout, k, s, p, groups=groups, bias=False), nn.BatchNorm2d(cout, eps=1e-3, momentum=0.1)]
        if act:
            layers.append(nn.PReLU(cout, init=0.25))
        super().__init__(*layers)


class DResidual(nn.Sequential):
    def __init__(self, cin, cout, expand, stride):
        super().__init__(ConvBn(cin, expand, 1, 1, 0, 1), ConvBn(expand, expand, 3, stride, 1, expand),
                         ConvBn(expand, cout, 1, 1, 0, 1, act=False))


class Residual(nn.Module):
    def __init__(self, channels, expand):
        super().__init__()
        self.body = DResidual(channels, channels, expand, 1)

    def forward(self, x):
        return self.body(x) + x


def y1(embedding=128):
    """MobileFaceNet y1 exactly as facebeam's models/MobileFaceNet.create."""
    fc1 = nn.BatchNorm1d(embedding, eps=2e-5)
    fc1.weight.requires_grad_(False)  # fix_gamma: not learnable, as in facebeam
    return nn.Sequential(
        ConvBn(3, 64, 3, 2, 1, 1), ConvBn(64, 64, 3, 1, 1, 64),
        DResidual(64, 64, 128, 2), *[Residual(64, 128) for _ in range(4)],
        DResidual(64, 128, 256, 2), *[Residual(128, 256) for _ in range(6)],
        DResidual(128, 128, 512, 2), *[Residual(128, 256) for _ in range(2)],
        ConvBn(128, 512, 1, 1, 0, 1), ConvBn(512, 512, 7, 1, 0, 512, act=False),
        nn.Flatten(), nn.Linear(512 * 1 * 1, embedding), fc1)


class IRUnit(nn.Module):
    """residual_unit_v3 as facebeam's models/IResNet.unit: BN, conv3x3, BN, PReLU, conv3x3(stride), BN; + shortcut."""

    def __init__(self, cin, cout, stride, project):
        super().__init__()
        bn = lambda c: nn.BatchNorm2d(c, eps=2e-5, momentum=0.1)
        self.body = nn.Sequential(bn(cin), nn.Conv2d(cin, cout, 3, 1, 1, bias=False), bn(cout), nn.PReLU(cout, init=0.25),
                                  nn.Conv2d(cout, cout, 3, stride, 1, bias=False), bn(cout))
        self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, 0, bias=False), bn(cout)) if project else nn.Identity()

    def forward(self, x):
        return self.body(x) + self.shortcut(x)


def r50(embedding=512):
    """LResNet50E-IR exactly as facebeam's models/IResNet.create(50): stem L, units 3/4/14/3, output E."""
    layers = [nn.Conv2d(3, 64, 3, 1, 1, bias=False), nn.BatchNorm2d(64, eps=2e-5), nn.PReLU(64, init=0.25)]
    cin = 64
    for filters, units in zip([64, 128, 256, 512], [3, 4, 14, 3]):
        for u in range(units):
            layers.append(IRUnit(cin, filters, 2 if u == 0 else 1, u == 0))
            cin = filters
    fc1 = nn.BatchNorm1d(embedding, eps=2e-5)
    fc1.weight.requires_grad_(False)  # fix_gamma
    layers += [nn.BatchNorm2d(512, eps=2e-5), nn.Dropout(0.4), nn.Flatten(), nn.Linear(512 * 7 * 7, embedding), fc1]
    return nn.Sequential(*layers)


NETWORKS = {"y1": (y1, "mobilefacenet", Y1_PARAMETERS, Y1_MACS), "r50": (r50, "r50", R50_PARAMETERS, R50_MACS)}


def macs(model, size=112):
    total = [0]

    def hook(m, inp, out):
        if isinstance(m, nn.Conv2d):
            total[0] += out.numel() * m.in_channels // m.groups * m.kernel_size[0] * m.kernel_size[1]
        elif isinstance(m, nn.Linear):
            total[0] += m.in_features * m.out_features
    hs = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    with torch.inference_mode():
        model(torch.zeros(1, 3, size, size))
    for h in hs:
        h.remove()
    return total[0]


def best_rate(fn, x, batch, passes, reps=3):
    fn(x)
    best = 0.0
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(passes):
            fn(x)
        best = max(best, passes * batch / (time.perf_counter() - t0))
    return best


def torch_rates(make, batch, passes):
    torch.manual_seed(1)
    model = make().eval()
    for m in model.modules():  # non-trivial running statistics, as a trained model has
        if isinstance(m, (nn.BatchNorm2d, nn.BatchNorm1d)):
            m.running_mean.uniform_(-0.1, 0.1)
            m.running_var.uniform_(0.5, 1.5)
    x = torch.rand(batch, 3, 112, 112) * 2 - 1
    with torch.inference_mode():
        eager = best_rate(model, x, batch, passes)
    xc = x.contiguous(memory_format=torch.channels_last)
    mc = model.to(memory_format=torch.channels_last)
    with torch.no_grad():
        frozen = torch.jit.freeze(torch.jit.trace(mc, xc))
        frozen(xc)
        frozen(xc)
        best = best_rate(frozen, xc, batch, passes)
    return eager, best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jar", default="runners/target/facebeam.jar")
    ap.add_argument("--network", choices=sorted(NETWORKS), default="y1")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--passes", type=int, default=8)
    a = ap.parse_args()
    make, block, want_params, want_macs = NETWORKS[a.network]
    cores = os.cpu_count()
    torch.set_num_threads(cores)
    model = make()
    params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    mac = macs(model.eval())
    print(f"{a.network} in torch {torch.__version__}: {params:,} learnable parameters, {mac:,} MACs "
          f"(facebeam: {want_params:,}, {want_macs:,}){'' if (params, mac) == (want_params, want_macs) else '  MISMATCH'}")
    if (params, mac) != (want_params, want_macs):
        raise SystemExit(f"the torch network is not facebeam's {a.network}")
    eager1, best1 = torch_rates(make, a.batch, a.passes)
    out = subprocess.run(["java", "-jar", a.jar, "bench-embed", "--nativeFaces=0", "--onnxFaces=0", "--withStage=false",
                          f"--formsNetwork={block}", f"--formsBatch={a.batch}", f"--formsPasses={a.passes}"],
                         capture_output=True, text=True, check=True).stdout
    trained = float(re.search(r"raw loop, trained form \(BatchNorm as saved\), batch \d+\s+([\d.]+) images/s", out).group(1))
    folded = float(re.search(r"raw loop, inference form \(embed's default\), batch \d+\s+([\d.]+) images/s", out).group(1))
    print(re.search(r"the inference form: .*", out).group(0))
    eager2, best2 = torch_rates(make, a.batch, a.passes)
    eager, best = max(eager1, eager2), max(best1, best2)
    print(f"\n{a.network}, {cores} cores, batch {a.batch}, best of 3 x {a.passes} passes, random inputs of the same shape\n")
    print("| what | images/s | vs eager PyTorch | vs PyTorch jit.freeze + channels_last |")
    print("| --- | ---: | ---: | ---: |")
    for name, v in [("PyTorch eager (inference_mode)", eager), ("PyTorch jit.trace + jit.freeze + channels_last", best),
                    (f"facebeam {a.network}, trained form (DJL eager)", trained),
                    (f"facebeam {a.network}, inference form (TorchScript: BN folded, channels-last; embed's default)", folded)]:
        print(f"| {name} | {v:.1f} | {v / eager:.2f}x | {v / best:.2f}x |")


if __name__ == "__main__":
    main()
