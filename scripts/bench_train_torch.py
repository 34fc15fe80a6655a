#!/usr/bin/env python3
"""Training speed and memory of MobileFaceNet y1 and IResNet-50: facebeam's bench-train against eager PyTorch, in one session.

The anchor of issue 27. PyTorch side (the local torch wheel, CPU, threads = cores): the networks of
bench_embed_torch.py (checked against facebeam's by learnable-parameter count and multiply-accumulates)
with fc7 as bench-train trains it (softmax over 40 classes, a bias), SGD with momentum 0.9 and weight
decay 5e-4, lr 0.1, train mode (BatchNorm updating), random inputs and labels of the same shapes; each
network in a child process so that its peak RSS is its own. facebeam side: `java -jar facebeam.jar
bench-train` (ORL's 400 JPEG records, softmax, decoded every step; the script reads its samples/s,
peak RSS and RSS by tenth of the run). Per network two pairs, PyTorch then facebeam, each pair's ratio
printed (the machine's speed drifts: pairing keeps a ratio meaningful).

  python3 scripts/bench_train_torch.py [--networks y1,r50] [--batch 32] [--steps 6] [--jar runners/target/facebeam.jar]
"""
import argparse
import os
import re
import resource
import subprocess
import sys
import time

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_embed_torch import NETWORKS  # noqa: E402  the same torch networks, checked there against facebeam's


def one(network, batch, steps):
    """Times `steps` SGD steps after two warm-up steps; prints samples/s and this process's peak RSS."""
    make = NETWORKS[network][0]
    torch.manual_seed(1)
    body = make()
    emb = body(torch.zeros(2, 3, 112, 112)).shape[1]
    fc7 = nn.Linear(emb, 40)
    model = nn.Sequential(body, fc7).train()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
    x = torch.rand(batch, 3, 112, 112) * 2 - 1
    y = torch.randint(0, 40, (batch,))
    times = []
    for s in range(steps + 2):
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        loss.item()
        times.append(time.perf_counter() - t0)
    timed = times[2:]
    rate = batch * len(timed) / sum(timed)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"RESULT {rate:.3f} {peak_mb:.0f}")


def torch_run(network, batch, steps):
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--one", network, "--batch", str(batch), "--steps", str(steps)],
                         capture_output=True, text=True, check=True).stdout
    rate, peak = re.search(r"RESULT ([\d.]+) (\d+)", out).groups()
    return float(rate), int(peak)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jar", default="runners/target/facebeam.jar")
    ap.add_argument("--networks", default="y1,r50")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--steps", type=int, default=6)
    ap.add_argument("--one")
    a = ap.parse_args()
    torch.set_num_threads(os.cpu_count())
    if a.one:
        one(a.one, a.batch, a.steps)
        return
    nets = [n.strip() for n in a.networks.split(",")]
    print(f"{os.cpu_count()} cores, batch {a.batch}, {a.steps} timed steps after 2 warm-up steps; torch {torch.__version__};"
          f" per network: PyTorch, facebeam, PyTorch, facebeam, each side's run right after the other's (pairs)\n")
    print("| network | pair | PyTorch eager samples/s | facebeam samples/s | ratio | PyTorch peak RSS | facebeam peak RSS | facebeam RSS by tenth of its run (MB) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for n in nets:
        for pair in (1, 2):
            rate_t, peak_t = torch_run(n, a.batch, a.steps)
            out = subprocess.run(["java", "-jar", a.jar, "bench-train", f"--networks={n}", f"--benchBatch={a.batch}",
                                  f"--benchSteps={a.steps}"], capture_output=True, text=True, check=True).stdout
            m = re.search(rf"^\s+{n}\s+r=\S+\s+([\d.]+) samples/s.*peak RSS [^\d]*([\d,]+) MB", out, re.M)
            rate, peak = float(m.group(1)), int(m.group(2).replace(",", ""))
            tenths = re.search(r"RSS at each tenth of the run \(MB\):([\d -]+)", out)
            print(f"| {n} | {pair} | {rate_t:.1f} | {rate:.1f} | {rate / rate_t:.2f}x | {peak_t:,} MB | {peak:,} MB |"
                  f" {tenths.group(1).strip() if tenths else ''} |", flush=True)


if __name__ == "__main__":
    main()
