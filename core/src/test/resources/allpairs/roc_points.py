"""What the all-pairs fixtures expect of a set of pairs, as scikit-learn and scipy compute it.

numbers(scores, same): the genuine and impostor counts; per FAR the vertex of
sklearn.metrics.roc_curve (defaults) with the highest TPR among those with FPR <= FAR (the last one
on ties) -- its TPR, FPR and threshold -- or None where FAR * impostors < 1; and the EER: scipy's
brentq on interp1d(fpr, tpr) meeting 1 - FPR (as face-verification code computes it), with the
threshold of the highest-scoring vertex of the full curve (drop_intermediate=False) at which
FPR + TPR >= 1. Used by make_allpairs.py and make_allpairs_20k.py.
"""
import numpy as np
from scipy.interpolate import interp1d
from scipy.optimize import brentq
from sklearn.metrics import roc_curve

FARS = [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 0.5, 1.0]


def numbers(s, same):
    out = {"genuine": int(same.sum()), "impostor": int((~same).sum()), "far": {}}
    fpr, tpr, thr = roc_curve(same.astype(np.int8), s)
    for far in FARS:
        if far * out["impostor"] < 1:
            out["far"][repr(far)] = None
            continue
        ok = np.flatnonzero(fpr <= far)
        best = ok[np.flatnonzero(tpr[ok] == tpr[ok].max())[-1]]  # the highest TPR, the last on ties
        out["far"][repr(far)] = {"tar": float(tpr[best]), "far": float(fpr[best]), "threshold": float(thr[best])}
    eer = brentq(lambda v: 1.0 - v - interp1d(fpr, tpr)(v), 0.0, 1.0, xtol=1e-15, rtol=8.9e-16)
    f_all, t_all, thr_all = roc_curve(same.astype(np.int8), s, drop_intermediate=False)
    out["eer"] = {"rate": float(eer), "threshold": float(thr_all[np.argmax(f_all + t_all >= 1)])}
    return out
