"""IJB-C-size benchmark of `facebeam ijb` (not a test): features to report, beside a vectorised NumPy +
scikit-learn implementation of the same 1:1 arithmetic, in the same session.

    python3 scripts/bench_ijb.py [--faces 469375 --templates 23124 --pairs 15658489 --genuine 19557 --dim 512] [--float32]

Makes a synthetic testsuite of IJB-C's sizes in a temporary folder (meta lists, N x 2d float32 features),
then times (1) NumPy: read the lists and the features, x = (o + f) * faceness, group faces by (template,
media) with one sort, media means and template sums by np.add.reduceat, sklearn normalize, scores by
einsum over the pairs, sklearn roc_curve and the TAR table; (2) `java -jar runners/target/facebeam.jar ijb`
from the same files to its report (JVM start included), with its peak resident memory. Prints both
and the ratio. The 1:N lists are left out (the goal is stated for 1:1). --float32: the anchor a NumPy
user tuning for speed writes — templates kept in float32 and the pairs scored in batches of 1,000,000
(the scores a hair from float64's; the TAR table the same here) instead of eval_ijbc.py's float64 and
100,000. --gram (with --float32): every pair read from one float32 product of all templates with all
templates (2 GB at IJB-C's 23,124), the fastest NumPy way to score IJB-C's 15.7 M pairs.
"""
import argparse, os, subprocess, sys, tempfile, threading, time
import numpy as np
import sklearn
from sklearn.metrics import roc_curve
import sklearn.preprocessing

p = argparse.ArgumentParser()
p.add_argument('--faces', type=int, default=469375)
p.add_argument('--templates', type=int, default=23124)
p.add_argument('--pairs', type=int, default=15658489)
p.add_argument('--genuine', type=int, default=19557)
p.add_argument('--dim', type=int, default=512)
p.add_argument('--float32', action='store_true')
p.add_argument('--gram', action='store_true', help='score every pair from one float32 template x template product')
p.add_argument('--reuse', help='a folder an earlier run made (printed after "made"): time again on the same files')
p.add_argument('--jar', default=os.path.join(os.path.dirname(__file__), '..', 'runners', 'target', 'facebeam.jar'))
a = p.parse_args()

def make():
    rng = np.random.default_rng(7)
    t0 = time.time()
    subjects = a.templates // 4
    template_subject = rng.integers(0, subjects, a.templates)
    face_template = np.sort(rng.integers(0, a.templates, a.faces))
    face_media = face_template * 8 + rng.integers(0, 8, a.faces)       # several frames share a media
    order = rng.permutation(a.faces)
    face_template, face_media = face_template[order], face_media[order]
    faceness = rng.uniform(0.05, 1.0, a.faces).round(6)
    with open(os.path.join(root, 'meta', 'ijbc_name_5pts_score.txt'), 'w') as f:
        f.write(''.join('img/%d.jpg 38.3 51.7 73.5 51.5 56.0 71.7 41.5 92.4 70.7 92.2 %s\n' % (i, repr(float(s))) for i, s in enumerate(faceness)))
    with open(os.path.join(root, 'meta', 'ijbc_face_tid_mid.txt'), 'w') as f:
        f.write(''.join('img/%d.jpg %d %d\n' % (i, t, m) for i, (t, m) in enumerate(zip(face_template, face_media))))
    present = np.unique(face_template)
    by_subject = {}
    for t in present:
        by_subject.setdefault(template_subject[t], []).append(t)
    gen = [(ts[i], ts[j]) for ts in by_subject.values() for i in range(len(ts)) for j in range(i + 1, len(ts))]
    gen = gen[:a.genuine]
    imp_n = a.pairs - len(gen)
    i1 = present[rng.integers(0, len(present), imp_n)]
    i2 = present[rng.integers(0, len(present), imp_n)]
    pairs = np.concatenate([np.array(gen, dtype=np.int64).reshape(-1, 2), np.stack([i1, i2], 1)])
    labels = np.concatenate([np.ones(len(gen), np.int64), (template_subject[i1] == template_subject[i2]).astype(np.int64)])
    perm = rng.permutation(len(pairs))
    pairs, labels = pairs[perm], labels[perm]
    with open(os.path.join(root, 'meta', 'ijbc_template_pair_label.txt'), 'w') as f:
        f.write(''.join('%d %d %d\n' % (x, y, l) for (x, y), l in zip(pairs.tolist(), labels.tolist())))
    centre = rng.standard_normal((subjects, a.dim), dtype=np.float32)
    feats = np.lib.format.open_memmap(os.path.join(work, 'features.npy'), mode='w+', dtype=np.float32, shape=(a.faces, 2 * a.dim))
    for s in range(0, a.faces, 50000):
        e = min(a.faces, s + 50000)
        o = centre[template_subject[face_template[s:e]]] + 4 * rng.standard_normal((e - s, a.dim), dtype=np.float32)
        feats[s:e, :a.dim] = o
        feats[s:e, a.dim:] = o + 0.2 * rng.standard_normal((e - s, a.dim), dtype=np.float32)
    feats.flush()
    del feats
    print('made %d faces, %d templates, %d pairs (%d genuine) of %d-d in %.0f s: %s' % (a.faces, len(present), len(pairs),
          int(labels.sum()), a.dim, time.time() - t0, work), flush=True)

if a.reuse:
    work = a.reuse
    root = os.path.join(work, 'IJBC')
    print('reusing %s' % work, flush=True)
else:
    work = tempfile.mkdtemp(prefix='bench-ijb-')
    root = os.path.join(work, 'IJBC')
    os.makedirs(os.path.join(root, 'meta'))
    make()

def numpy_ijb():
    t = time.time()
    meta = os.path.join(root, 'meta')
    faceness = np.loadtxt(os.path.join(meta, 'ijbc_name_5pts_score.txt'), usecols=11, dtype=np.float32)
    tm = np.loadtxt(os.path.join(meta, 'ijbc_face_tid_mid.txt'), usecols=(1, 2), dtype=np.int64)
    pl = np.loadtxt(os.path.join(meta, 'ijbc_template_pair_label.txt'), dtype=np.int64)
    read = time.time() - t
    img = np.load(os.path.join(work, 'features.npy'))
    d = img.shape[1] // 2
    x = (img[:, :d] + img[:, d:]) * faceness[:, None]
    key = np.lexsort((np.arange(len(tm)), tm[:, 1], tm[:, 0]))
    xs, ts, ms = x[key], tm[key, 0], tm[key, 1]
    media_start = np.flatnonzero(np.r_[True, (ts[1:] != ts[:-1]) | (ms[1:] != ms[:-1])])
    media_sum = np.add.reduceat(xs, media_start, axis=0)
    counts = np.diff(np.r_[media_start, len(xs)]).astype(np.float32)
    media = np.where(counts[:, None] > 1, media_sum / counts[:, None], media_sum)
    mt = ts[media_start]
    tpl_start = np.flatnonzero(np.r_[True, mt[1:] != mt[:-1]])
    pooled = np.add.reduceat(media, tpl_start, axis=0)
    tpl = sklearn.preprocessing.normalize(pooled if a.float32 else pooled.astype(np.float64))
    ids = mt[tpl_start]
    r1, r2 = np.searchsorted(ids, pl[:, 0]), np.searchsorted(ids, pl[:, 1])
    scores = np.empty(len(pl), dtype=np.float32 if a.float32 else np.float64)
    batch = 1000000 if a.float32 else 100000  # eval_ijbc.py's batch: 100,000
    if a.gram:  # 23,124 templates: their whole Gram matrix is 2 GB of float32, one BLAS call
        t32 = tpl.astype(np.float32)
        scores = (t32 @ t32.T)[r1, r2]
    else:
        for s in range(0, len(pl), batch):
            scores[s:s + batch] = np.einsum('ij,ij->i', tpl[r1[s:s + batch]], tpl[r2[s:s + batch]])
    fpr, tpr, _ = roc_curve(pl[:, 2], scores)
    fpr, tpr = np.flipud(fpr), np.flipud(tpr)
    table = [tpr[np.argmin(np.abs(fpr - xl))] for xl in [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1]]
    return time.time() - t, read, table

def peak_rss(proc, out):
    peak = 0
    while proc.poll() is None:
        try:
            with open('/proc/%d/status' % proc.pid) as f:
                for line in f:
                    if line.startswith('VmHWM:'):
                        peak = max(peak, int(line.split()[1]))
        except OSError:
            pass
        time.sleep(0.05)
    out.append(peak)

np_time, np_read, np_table = numpy_ijb()
print('NumPy %s + scikit-learn %s: %.1f s (%.1f s of it reading the lists), TAR %s' % (np.__version__, sklearn.__version__,
      np_time, np_read, ' '.join('%.2f' % (100 * v) for v in np_table)), flush=True)
t = time.time()
proc = subprocess.Popen(['java', '-jar', a.jar, 'ijb', '--input=' + root, '--featuresNpy=' + os.path.join(work, 'features.npy'),
                         '--output=' + os.path.join(work, 'out')], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
peak = []
watcher = threading.Thread(target=peak_rss, args=(proc, peak))
watcher.start()
output = proc.communicate()[0]
watcher.join()
fb_time = time.time() - t
if proc.returncode != 0:
    print(output)
    sys.exit(1)
row = [l for l in output.splitlines() if l.startswith('| features-IJBC')]
print('facebeam ijb: %.1f s (JVM start included), peak memory %.2f GB, %s' % (fb_time, peak[0] / 1024 / 1024, row[0] if row else '?'))
print('ratio facebeam / NumPy: %.2fx' % (fb_time / np_time))
