"""The 20,000-image exactness check of all-pairs: scikit-learn's numbers over all 199,990,000 pairs.

The embeddings are not stored: the test (AllPairsScaleTest) draws them with the same generator, a
64-bit LCG (state = state * 6364136223846793005 + 1442695040888963407 mod 2^64; each draw is
(state >> 33) % 2049 - 1024). 2,000 identity centres, then per image a noise vector scaled by 5/8
(floor), the sum clipped to [-1024, 1024] and divided by 1024: integers / 1024 in 16-d, so every
score is exact in float32 whatever the summation order (see make_allpairs.py), and NumPy's scores
are the ones any BLAS and facebeam's canonical kernel give. Image i has identity i % 2000 and group
g<identity % 4>.

expected_20k.json: as expected.json (make_allpairs.py) -- per set (all, g0..g3) the genuine and
impostor counts, per FAR scikit-learn's roc_curve vertex with the highest TPR at FPR <= FAR, and the
EER (scipy's brentq on the interpolated curve) with its threshold.

Run: python3 make_allpairs_20k.py (numpy 2.4.6, scikit-learn 1.9.1, scipy 1.17.1; about 6 GB, 2 min).
"""
import json

import numpy as np
from roc_points import numbers

N, D, IDS = 20_000, 16, 2_000


def draws(state, count):
    out = np.empty(count, dtype=np.int64)
    for k in range(count):
        state = (state * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        out[k] = (state >> 33) % 2049 - 1024
    return state, out


state, centres = draws(20261206, IDS * D)
state, noise = draws(state, N * D)
labels = np.arange(N) % IDS
x = np.clip(centres.reshape(IDS, D)[labels] + (noise.reshape(N, D) * 5) // 8, -1024, 1024).astype(np.float32) / 1024
groups = labels % 4

scores, same, cls = [], [], []
for i0 in range(0, N, 2000):
    s = x[i0:i0 + 2000] @ x.T
    for r in range(s.shape[0]):
        i = i0 + r
        scores.append(s[r, i + 1:])
        same.append(labels[i + 1:] == labels[i])
        cls.append(np.where(groups[i + 1:] == groups[i], groups[i], -1).astype(np.int8))
s_all, same_all, cls_all = np.concatenate(scores), np.concatenate(same), np.concatenate(cls)
del scores, same, cls
print(x.dtype, s_all.dtype, len(s_all))


expected = {"all": numbers(s_all, same_all)}
for g in range(4):
    m = cls_all == g
    expected[f"g{g}"] = numbers(s_all[m], same_all[m])
with open("expected_20k.json", "w") as f:
    json.dump(expected, f, indent=1, sort_keys=True)
    f.write("\n")
print(json.dumps(expected["all"], indent=1))
