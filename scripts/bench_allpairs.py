"""All-to-all 1:1 at IFRT's shape, the NumPy way: the anchor `facebeam all-pairs` is measured against.

  python3 scripts/bench_allpairs.py make DIR [N] [D]   # N labelled unit embeddings (default 100,000 x 512)
  python3 scripts/bench_allpairs.py run DIR             # the exact computation, vectorised, with its time and peak RSS

`make` writes DIR/embeddings.npy (float32), labels.txt (N // 6.7 identities, so ~6.7 images each as in
IFRT's multi-racial set) and groups.txt (four groups by identity, as IFRT's four races).

`run` does what facebeam's all-pairs does, the way a NumPy user would write it: blocks of 4,096 rows
of the upper triangle, each a float32 matrix product (OpenBLAS); pass 1 keeps every genuine score and
counts impostors per top 16 bits of the order-preserving key (one np.bincount per block over
class * 65536 + bin, class = the pair's group or "mixed"); pass 2 recomputes the products and keeps the
impostor scores of the bins holding each FAR's (K+1)-th impostor; np.sort picks the exact order
statistic. It prints per set and FAR the threshold (the (K+1)-th highest impostor score) and TAR
(genuine above it), the seconds per pass, and the peak RSS.
"""
import resource
import sys
import time

import numpy as np

FARS = [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1]
BLOCK = 4096
BINS = 1 << 16


def make(out, n, d):
    rng = np.random.default_rng(25)
    ids = max(1, int(n / 6.7))
    labels = np.sort(rng.integers(0, ids, n))
    centers = rng.standard_normal((ids, d)).astype(np.float32)
    noise = rng.uniform(1.2, 2.4, (n, 1)).astype(np.float32)  # image quality: genuine scores from ~0.15 to ~0.4
    x = centers[labels] + noise * rng.standard_normal((n, d)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    order = rng.permutation(n)
    x, labels = x[order].astype(np.float32), labels[order]
    np.save(f"{out}/embeddings.npy", x)
    np.savetxt(f"{out}/labels.txt", labels, fmt="%d")
    with open(f"{out}/groups.txt", "w") as f:
        for i, l in enumerate(labels):
            f.write(f"{i}\tg{l % 4}\n")


def keys(s):
    b = s.view(np.int32)
    return b ^ ((b >> 31) & 0x7FFFFFFF)


def blocks(n):
    for i in range(0, n, BLOCK):
        for j in range(i, n, BLOCK):
            yield i, min(n, i + BLOCK), j, min(n, j + BLOCK)


def pairs(x, labels, groups, i0, i1, j0, j1):
    """A block's scores, impostor mask, genuine mask and pair class (0 mixed, 1 + g within group g)."""
    s = x[i0:i1] @ x[j0:j1].T
    upper = np.arange(i0, i1)[:, None] < np.arange(j0, j1)[None, :]
    same = labels[i0:i1, None] == labels[None, j0:j1]
    gi, gj = groups[i0:i1, None], groups[None, j0:j1]
    cls = np.where(gi == gj, gi + 1, 0)
    return s, upper & ~same, upper & same, cls


def run(folder):
    x = np.load(f"{folder}/embeddings.npy")
    labels = np.loadtxt(f"{folder}/labels.txt", dtype=np.int64)
    names = sorted({line.split("\t")[1].strip() for line in open(f"{folder}/groups.txt")})
    groups = np.zeros(len(labels), dtype=np.int64)
    for line in open(f"{folder}/groups.txt"):
        i, g = line.split("\t")
        groups[int(i)] = names.index(g.strip())
    n, sets = len(labels), 1 + len(names)
    t0 = time.perf_counter()
    counts = np.zeros(sets * BINS, dtype=np.int64)
    genuine, genuine_cls = [], []
    for i0, i1, j0, j1 in blocks(n):
        s, imp, gen, cls = pairs(x, labels, groups, i0, i1, j0, j1)
        counts += np.bincount((cls[imp] * BINS + (keys(s[imp]) >> 16) + BINS // 2), minlength=sets * BINS)
        genuine.append(s[gen])
        genuine_cls.append(cls[gen])
    t1 = time.perf_counter()
    per_set = counts.reshape(sets, BINS)
    level1 = [per_set.sum(axis=0)] + [per_set[g] for g in range(1, sets)]
    genuine, genuine_cls = np.concatenate(genuine), np.concatenate(genuine_cls)
    wanted = {}  # (set, bin) -> FARs
    for st in range(sets):
        total = level1[st].sum()
        above = np.cumsum(level1[st][::-1])[::-1]
        for f in FARS:
            k = int(np.floor(f * total))
            if k < 1:
                continue
            b = int(np.nonzero(above >= k + 1)[0].max())
            wanted.setdefault((st, b), []).append((f, k, int(above[b + 1]) if b + 1 < BINS else 0))
    want_all = np.zeros(BINS, dtype=bool)
    want_cls = np.zeros(sets * BINS, dtype=bool)
    for st, b in wanted:
        if st == 0:
            want_all[b] = True
        else:
            want_cls[st * BINS + b] = True
    kept = {key: [] for key in wanted}
    for i0, i1, j0, j1 in blocks(n):
        s, imp, gen, cls = pairs(x, labels, groups, i0, i1, j0, j1)
        si, ci = s[imp], cls[imp]
        bi = (keys(si) >> 16) + BINS // 2
        hit = want_all[bi] | want_cls[ci * BINS + bi]
        si, ci, bi = si[hit], ci[hit], bi[hit]
        for st, b in wanted:
            m = (bi == b) if st == 0 else (bi == b) & (ci == st)
            kept[(st, b)].append(si[m])
    t2 = time.perf_counter()
    rows = []
    for (st, b), targets in wanted.items():
        values = np.sort(np.concatenate(kept[(st, b)]))[::-1]
        g = genuine if st == 0 else genuine[genuine_cls == st]
        for f, k, above_bin in targets:
            t = values[k - above_bin]  # the (K+1)-th highest impostor
            rows.append((["all"] + names)[st] + f" FAR<={f:g}: threshold {t:.7g}, TAR {np.mean(g > t) * 100:.2f} %")
    t3 = time.perf_counter()
    print("\n".join(sorted(rows)))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    print(f"numpy all-pairs: {n} x {x.shape[1]}, {n * (n - 1) // 2} pairs: pass 1 {t1 - t0:.1f} s, pass 2 {t2 - t1:.1f} s,"
          f" select {t3 - t2:.2f} s, total {t3 - t0:.1f} s, peak RSS {rss:.2f} GB")


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 100_000, int(sys.argv[4]) if len(sys.argv) > 4 else 512)
    else:
        run(sys.argv[2])
