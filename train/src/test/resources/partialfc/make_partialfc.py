"""Makes partialfc.json: three SGD steps of a Partial FC classifier in PyTorch, the reference for
PartialFcParityTest (docs/training.md, "Partial FC").

    pip install torch numpy && python3 make_partialfc.py      (made with torch 2.13.0+cpu, CPython 3.11)

The reference follows arcface_torch's PartialFC_V2 (partial_fc_v2.py): one weight Parameter over all
classes cut into shards of contiguous classes (its ranks); each step, per shard, the batch's classes
(torch.unique, sorted) filled up to int(sample_rate * classes_in_shard) with distinct other classes in
ascending order (or only the batch's classes when they are more), the sampled rows taken with
weight[index] (so the rows not sampled get a zero gradient and torch.optim.SGD still applies momentum and
weight decay to them), labels mapped into the sample with torch.searchsorted, normalised embeddings and
rows, the margin on the target logit, cross-entropy over all shards' sampled logits together
(DistCrossEntropy). Two differences, both deliberate: the other classes are drawn by facebeam's rule and
generator (Knuth's selection sampling over java.util.Random(seed), reimplemented below) instead of
torch.rand + topk, so that both sides see the same sample; and the margin is facebeam's ArcFace
(InsightFace's, exact gradient through arccos, no clamp), not arcface_torch's in-place no_grad arccos.

The "backbone" is one linear map (embedding = x A^T) so that the gradient through the sampled head
into a backbone is checked too.
"""
import json

import torch

B, D, E, C = 8, 6, 4, 20
SHARDS = [10, 10]
RATE = 0.5
SEED = 2027
S, M1, M2, M3 = 64.0, 1.0, 0.5, 0.0
LR, MOMENTUM, WD = 0.1, 0.9, 5e-4


class JavaRandom:
    """java.util.Random: the 48-bit LCG and nextInt(bound) as the JDK documents them."""

    def __init__(self, seed):
        self.seed = (seed ^ 0x5DEECE66D) & ((1 << 48) - 1)

    def next(self, bits):
        self.seed = (self.seed * 0x5DEECE66D + 0xB) & ((1 << 48) - 1)
        v = self.seed >> (48 - bits)
        return v - (1 << 32) if v >= (1 << 31) else v  # a Java int

    def next_int(self, bound):
        if bound & -bound == bound:
            return (bound * self.next(31)) >> 31
        while True:
            bits = self.next(31)
            val = bits % bound
            if bits - val + (bound - 1) < (1 << 31):  # no int overflow in Java
                return val


def sample(labels, first, classes, rate, rnd):
    """facebeam's ClassSample.draw: the shard's classes of the batch, then selection sampling of the others."""
    positive = sorted({int(l) - first for l in labels if 0 <= int(l) - first < classes})
    want = int(rate * classes)
    if want <= len(positive):
        return positive
    pos = set(positive)
    needed, left, out = want - len(positive), classes - len(positive), []
    for c in range(classes):
        if c in pos:
            out.append(c)
        else:
            if needed > 0 and rnd.next_int(left) < needed:
                out.append(c)
                needed -= 1
            left -= 1
    return out


def main():
    g = torch.Generator().manual_seed(7)
    a = torch.nn.Parameter(torch.randn(E, D, generator=g) * 0.5)
    w = torch.nn.Parameter(torch.normal(0, 0.01, (C, E), generator=g))
    a0, w0 = a.detach().clone(), w.detach().clone()
    opt = torch.optim.SGD([a, w], lr=LR, momentum=MOMENTUM, weight_decay=WD)
    rnd = JavaRandom(SEED)
    # Step 2's batch holds six classes of the first shard: more than its sample of five, so only they.
    batches = [[0, 3, 3, 12, 19, 7, 15, 1], [0, 1, 2, 4, 5, 6, 11, 11], [9, 18, 18, 10, 2, 2, 13, 8]]
    steps = []
    for labels in batches:
        x = torch.randn(B, D, generator=g)
        y = torch.tensor(labels, dtype=torch.long)
        index, first = [], 0
        shard_index = []
        for n in SHARDS:
            idx = sample(labels, first, n, RATE, rnd)
            t = torch.tensor(idx, dtype=torch.long)
            positive = torch.unique(y[(y >= first) & (y < first + n)] - first, sorted=True)
            assert torch.isin(positive, t).all() and (t.diff() > 0).all()
            assert len(idx) == max(int(RATE * n), len(positive))
            shard_index.append(idx)
            index.append(t + first)
            first += n
        index = torch.cat(index)
        target = torch.searchsorted(index, y)  # every label is in its shard's sample
        opt.zero_grad()
        emb = x @ a.t()
        weight = w[index]
        cos = torch.nn.functional.normalize(emb) @ torch.nn.functional.normalize(weight).t()
        one_hot = torch.nn.functional.one_hot(target, len(index)).float()
        t_cos = (cos * one_hot).sum(1, keepdim=True)
        adjusted = torch.cos(torch.acos(t_cos) * M1 + M2) - M3
        logits = (cos + one_hot * (adjusted - t_cos)) * S
        loss = torch.nn.functional.cross_entropy(logits, target)
        loss.backward()
        opt.step()
        steps.append({"x": x.flatten().tolist(), "labels": labels, "samples": shard_index, "loss": loss.item()})
    out = {"made_with": f"torch {torch.__version__}", "batch": B, "in": D, "embedding": E, "classes": C, "shards": SHARDS,
           "sample_rate": RATE, "seed": SEED, "margin": [S, M1, M2, M3], "lr": LR, "momentum": MOMENTUM, "wd": WD,
           "a0": a0.flatten().tolist(), "w0": w0.flatten().tolist(), "steps": steps,
           "a3": a.detach().flatten().tolist(), "w3": w.detach().flatten().tolist()}
    with open("partialfc.json", "w") as f:
        json.dump(out, f, indent=1)
    print("losses", [s["loss"] for s in steps], "samples", [s["samples"] for s in steps])


if __name__ == "__main__":
    main()
