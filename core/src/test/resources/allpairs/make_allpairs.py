"""Writes the all-pairs fixture: a labelled set whose every score NumPy and facebeam compute
identically, and scikit-learn's numbers over all its pairs.

The embeddings are integers / 1024 in [-1, 1] (16-d), so every dot product and every partial sum
is a multiple of 2^-20 of magnitude at most 16 = 2^24 * 2^-20: exact in float32 whatever the
summation order (NumPy's BLAS or ours). The scores are nearly continuous (1,692,742 distinct values
among 1,999,000 pairs, so ties occur too), which makes long runs of one-impostor vertices in the
tail: there roc_curve's drop_intermediate moves the reported threshold and FPR (at FAR 1e-2, 1e-1
and 0.5 here), and an exact all-pairs evaluation must reproduce it. 2,000 images of 200 identities
(10 each), four groups by label % 4: 1,999,000 pairs, 9,000 of them genuine.

expected.json: for "all" and each group, the genuine and impostor counts and, per FAR, the vertex
of sklearn.metrics.roc_curve (defaults) with the highest TPR among those with FPR <= FAR (the last
one on ties) -- its TPR, FPR and threshold -- or null where FAR * impostors < 1; and the EER:
scipy's brentq on interp1d(fpr, tpr) meeting 1 - FPR (as face-verification code computes it), with
the threshold of the highest-scoring vertex of the full curve (drop_intermediate=False) at which
FPR + TPR >= 1. expected_cross.json: the same over the pairs of a query (queries.txt: every fifth
row) and a non-query image only -- cross mode.

Run: python3 make_allpairs.py (numpy 2.4.6, scikit-learn 1.9.1, scipy 1.17.1).
"""
import json
import numpy as np
from roc_points import numbers

rng = np.random.default_rng(20261206)
n_ids, per_id, d = 200, 10, 16
centers = rng.integers(-1024, 1025, size=(n_ids, d))
labels = np.repeat(np.arange(n_ids), per_id)
x = np.clip(centers[labels] + rng.integers(-640, 641, size=(n_ids * per_id, d)), -1024, 1024).astype(np.float32) / 1024
order = rng.permutation(len(labels))
x, labels = x[order], labels[order]
groups = labels % 4
np.save("embeddings.npy", x)
np.savetxt("labels.txt", labels, fmt="%d")
with open("groups.txt", "w") as f:
    for i, g in enumerate(groups):
        f.write(f"{i}\tg{g}\n")

scores = x @ x.T  # float32, exact: see above
assert np.array_equal(scores.astype(np.float64), x.astype(np.float64) @ x.T.astype(np.float64))
iu = np.triu_indices(len(labels), k=1)
s_all = scores[iu]
same_all = labels[iu[0]] == labels[iu[1]]
grp_i, grp_j = groups[iu[0]], groups[iu[1]]


expected = {"all": numbers(s_all, same_all)}
for g in range(4):
    m = (grp_i == g) & (grp_j == g)
    expected[f"g{g}"] = numbers(s_all[m], same_all[m])
with open("expected.json", "w") as f:
    json.dump(expected, f, indent=1, sort_keys=True)
    f.write("\n")

# Cross mode: every fifth image is a query; only query x non-query pairs count.
query = np.arange(len(labels)) % 5 == 0
with open("queries.txt", "w") as f:
    for i in np.flatnonzero(query):
        f.write(f"{i}\n")
cross = query[iu[0]] != query[iu[1]]
expected_cross = {"all": numbers(s_all[cross], same_all[cross])}
for g in range(4):
    m = cross & (grp_i == g) & (grp_j == g)
    expected_cross[f"g{g}"] = numbers(s_all[m], same_all[m])
with open("expected_cross.json", "w") as f:
    json.dump(expected_cross, f, indent=1, sort_keys=True)
    f.write("\n")
print(json.dumps(expected["all"], indent=1))
