"""MegaFace identification, the NumPy way: the anchor `facebeam megaface --distractorsNpy` is measured against.

  python3 scripts/bench_megaface.py make DIR [N]   # 3,530 probes of 80 identities and N distractors (default 10^6), 512-d
  python3 scripts/bench_megaface.py run DIR        # chunked product + top-k, with its time and peak RSS

`make` writes DIR/probes.npy, facescrub_lst, distractors.npy and megaface_lst as bench-megaface does:
vectors with a decaying spectrum (impostor cosines spread with sigma ~ 0.1, as real 512-d embeddings'),
each probe at its own distance from its identity's centre, all unit rows, float32.

`run` is what a NumPy user writes for MegaFace's rank-1 over 10^6 distractors: the distractors
memory-mapped, in chunks of 4,096 rows, one float32 product (OpenBLAS) per chunk against all probes,
and per probe the 10 highest distractor scores kept with np.partition over [kept, chunk]. It prints
the seconds in the products, the selection and in all, and the peak RSS.
"""
import resource
import sys
import time

import numpy as np

P, IDS, D, K, CHUNK = 3530, 80, 512, 10, 4096


def unit(x):
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def make(out, n):
    rng = np.random.default_rng(2048)
    spectrum = np.exp(-np.arange(D) / 100.0).astype(np.float32)
    centres = unit(rng.standard_normal((IDS, D)).astype(np.float32) * spectrum)
    ids = np.arange(P) % IDS
    spread = (0.6 + rng.random((P, 1))).astype(np.float32)
    probes = unit(centres[ids] + spread * unit(rng.standard_normal((P, D)).astype(np.float32) * spectrum))
    np.save(f"{out}/probes.npy", probes)
    with open(f"{out}/facescrub_lst", "w") as f:
        for i in range(P):
            c = i % IDS
            f.write(f"facescrub/Person_{c:02d}/Person_{c:02d}_{i // IDS}.png\n")
    mm = np.lib.format.open_memmap(f"{out}/distractors.npy", mode="w+", dtype=np.float32, shape=(n, D))
    for i in range(0, n, 100_000):
        m = min(n, i + 100_000) - i
        mm[i:i + m] = unit(rng.standard_normal((m, D)).astype(np.float32) * spectrum)
    mm.flush()
    with open(f"{out}/megaface_lst", "w") as f:
        for i in range(n):
            f.write(f"megaface/{i % 1000}/{i // 1000}@N00/{i}_0.jpg\n")


def run(folder):
    probes = np.load(f"{folder}/probes.npy")
    dist = np.load(f"{folder}/distractors.npy", mmap_mode="r")
    t0 = time.perf_counter()
    top = np.full((len(probes), K), -np.inf, dtype=np.float32)
    product = select = 0.0
    for i in range(0, len(dist), CHUNK):
        a = time.perf_counter()
        s = probes @ np.ascontiguousarray(dist[i:i + CHUNK]).T
        b = time.perf_counter()
        both = np.concatenate([top, s], axis=1)
        top = np.partition(both, -K, axis=1)[:, -K:]
        select += time.perf_counter() - b
        product += b - a
    total = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    print(f"numpy megaface: {len(probes)} probes x {len(dist)} distractors: product {product:.1f} s, top-{K} {select:.1f} s,"
          f" total {total:.1f} s, peak RSS {rss:.2f} GB; mean 10th score {np.sort(top, axis=1)[:, 0].mean():.4f}")


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 1_000_000)
    else:
        run(sys.argv[2])
