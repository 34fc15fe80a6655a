"""Makes the synthetic IJB-C-layout testsuite the IJB tests read, and the numbers InsightFace's
scripts give on it.

    python3 make_ijb.py            # numpy 2.x and scikit-learn (pip install scikit-learn)

Writes IJBC/meta/*.gz (the real files' layout, gzipped), features.npy (faces x 2d float32,
[original | mirrored] as the scripts hold them) and expected.json. The expected numbers come
from the arithmetic of arcface_torch/eval_ijbc.py (1:1) and _evaluation_/ijb/ijb_1n.py (1:N),
written out below as those scripts have it (per-template loops, sklearn's roc_curve and auc,
the nearest-vertex TAR table, argsort top-k, heapq TPIR), for every one of the 8 test modes.
"""
import gzip, heapq, json, math, os
import numpy as np
import sklearn
from sklearn.metrics import roc_curve, auc
import sklearn.preprocessing

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20261202)
SUBJECTS, D, IMPOSTORS = 300, 12, 20000

# --- the testsuite -------------------------------------------------------------------------
centre = rng.standard_normal((SUBJECTS, D)).astype(np.float32)
faces = []          # (image, landmarks[10], faceness, template, media)
templates_of = {}   # subject -> [1:1 template ids]
gallery_of = {}     # subject -> gallery template id
next_t, next_m = 1, 1
def add_template(s):
    global next_t, next_m
    t = next_t; next_t += rng.integers(1, 4)             # ids with gaps, as the real ones have
    for _ in range(rng.integers(1, 4)):                  # 1-3 media
        m = next_m; next_m += 1
        frames = 1 if rng.random() < 0.6 else int(rng.integers(2, 7))  # a video: several frames
        base = centre[s] + 0.9 * rng.standard_normal(D).astype(np.float32)
        for k in range(frames):
            name = '%d/%s_%d_%d.jpg' % (s, 'frame' if frames > 1 else 'img', m, k)
            lmk = rng.uniform(20, 100, 10).round(1)
            faceness = round(float(rng.uniform(0.05, 1.0)), 6)
            faces.append((name, lmk, faceness, t, m, s, base))
    return t
for s in range(SUBJECTS):
    templates_of[s] = [add_template(s) for _ in range(int(rng.integers(2, 5)))]
    gallery_of[s] = add_template(s)
order = rng.permutation(len(faces))                      # faces are not grouped by template in the lists
faces = [faces[i] for i in order]
n = len(faces)
o = np.stack([f[6] + 0.5 * rng.standard_normal(D).astype(np.float32) for f in faces]).astype(np.float32)
scale = rng.uniform(0.5, 2.0, (n, 1)).astype(np.float32)  # feature norms vary, as a network's do
o = (o * scale).astype(np.float32)
f = (o + 0.2 * rng.standard_normal((n, D)).astype(np.float32)).astype(np.float32)
features = np.concatenate([o, f], axis=1).astype(np.float32)

pairs = []
for s in range(SUBJECTS):
    ts = templates_of[s]
    pairs += [(a, b, 1) for i, a in enumerate(ts) for b in ts[i + 1:]]
all_t = [(t, s) for s in range(SUBJECTS) for t in templates_of[s]]
for _ in range(IMPOSTORS):
    (a, sa), (b, sb) = all_t[rng.integers(len(all_t))], all_t[rng.integers(len(all_t))]
    if sa != sb:
        pairs.append((a, b, 0))
pairs = [pairs[i] for i in rng.permutation(len(pairs))]

meta = os.path.join(HERE, 'IJBC', 'meta')
os.makedirs(meta, exist_ok=True)
def write(name, lines):
    with gzip.GzipFile(os.path.join(meta, name + '.gz'), 'wb', mtime=0) as g:
        g.write(''.join(l + '\n' for l in lines).encode())
write('ijbc_name_5pts_score.txt', ['%s %s %s' % (x[0], ' '.join('%g' % v for v in x[1]), '%g' % x[2]) for x in faces])
write('ijbc_face_tid_mid.txt', ['%s %d %d' % (x[0], x[3], x[4]) for x in faces])
write('ijbc_template_pair_label.txt', ['%d %d %d' % p for p in pairs])
tpl_subject = {x[3]: x[5] for x in faces}
def csv(tids):  # a header, then one row per image of each template (TEMPLATE_ID,SUBJECT_ID,FILENAME,...)
    rows = ['TEMPLATE_ID,SUBJECT_ID,FILENAME,SIGHTING_ID']
    for t in tids:
        rows += ['%d,%d,%s,%d' % (t, tpl_subject[t], x[0], x[4]) for x in faces if x[3] == t]
    return rows
g1 = [gallery_of[s] for s in range(SUBJECTS // 2)]
g2 = [gallery_of[s] for s in range(SUBJECTS // 2, SUBJECTS)]
write('ijbc_1N_gallery_G1.csv', csv(g1))
write('ijbc_1N_gallery_G2.csv', csv(g2))
write('ijbc_1N_probe_mixed.csv', csv([t for s in range(SUBJECTS) for t in templates_of[s]]))
np.save(os.path.join(HERE, 'features.npy'), features)

# --- eval_ijbc.py's arithmetic ---------------------------------------------------------------
templates = np.array([x[3] for x in faces]); medias = np.array([x[4] for x in faces])
faceness_scores = np.array(['%g' % x[2] for x in faces]).astype(np.float32)
p1 = np.array([p[0] for p in pairs]); p2 = np.array([p[1] for p in pairs]); label = np.array([p[2] for p in pairs])

def image_features(img_feats, norm, detector, flip):
    if flip:
        x = img_feats[:, 0:img_feats.shape[1] // 2] + img_feats[:, img_feats.shape[1] // 2:]
    else:
        x = img_feats[:, 0:img_feats.shape[1] // 2]
    if not norm:
        x = x / np.sqrt(np.sum(x ** 2, -1, keepdims=True))
    if detector:
        x = x * faceness_scores[:, np.newaxis]
    return x

def image2template_feature(img_feats, templates, medias):
    unique_templates = np.unique(templates)
    template_feats = np.zeros((len(unique_templates), img_feats.shape[1]))
    for count_template, uqt in enumerate(unique_templates):
        (ind_t,) = np.where(templates == uqt)
        face_norm_feats = img_feats[ind_t]
        face_medias = medias[ind_t]
        unique_medias, unique_media_counts = np.unique(face_medias, return_counts=True)
        media_norm_feats = []
        for u, ct in zip(unique_medias, unique_media_counts):
            (ind_m,) = np.where(face_medias == u)
            if ct == 1:
                media_norm_feats += [face_norm_feats[ind_m]]
            else:
                media_norm_feats += [np.mean(face_norm_feats[ind_m], axis=0, keepdims=True)]
        media_norm_feats = np.array(media_norm_feats)
        template_feats[count_template] = np.sum(media_norm_feats, axis=0)
    return sklearn.preprocessing.normalize(template_feats), unique_templates

def verification(template_norm_feats, unique_templates, p1, p2):
    template2id = np.zeros((max(unique_templates) + 1, 1), dtype=int)
    for count_template, uqt in enumerate(unique_templates):
        template2id[uqt] = count_template
    score = np.zeros((len(p1),))
    total_pairs = np.array(range(len(p1)))
    batchsize = 100000
    sublists = [total_pairs[i:i + batchsize] for i in range(0, len(p1), batchsize)]
    for c, s in enumerate(sublists):
        feat1 = template_norm_feats[template2id[p1[s]]]
        feat2 = template_norm_feats[template2id[p2[s]]]
        score[s] = np.sum(feat1 * feat2, -1).flatten()
    return score

x_labels = [10 ** -6, 10 ** -5, 10 ** -4, 10 ** -3, 10 ** -2, 10 ** -1]
def one_to_one(scores):
    fpr, tpr, _ = roc_curve(label, scores)
    roc_auc = auc(fpr, tpr)
    fpr = np.flipud(fpr); tpr = np.flipud(tpr)
    table = {}
    for x in x_labels:
        _, min_index = min(list(zip(abs(fpr - x), range(len(fpr)))))
        table[str(x)] = float(tpr[min_index])
    return {'tar_at_far': table, 'auc': float(roc_auc), 'vertices': int(len(fpr))}

# --- ijb_1n.py's arithmetic ------------------------------------------------------------------
def read_csv(name):
    with gzip.open(os.path.join(meta, name + '.gz'), 'rt') as g:
        m = np.loadtxt(g, dtype=str, skiprows=1, delimiter=',')
    return m[:, 0].astype(int), m[:, 1].astype(int)
def image2template_feature_1n(img_feats, templates, medias, choose_templates, choose_ids):
    unique_templates, indices = np.unique(choose_templates, return_index=True)
    unique_subjectids = choose_ids[indices]
    template_feats = np.zeros((len(unique_templates), img_feats.shape[1]))
    for count_template, uqt in enumerate(unique_templates):
        (ind_t,) = np.where(templates == uqt)
        face_norm_feats = img_feats[ind_t]
        face_medias = medias[ind_t]
        unique_medias, unique_media_counts = np.unique(face_medias, return_counts=True)
        media_norm_feats = []
        for u, ct in zip(unique_medias, unique_media_counts):
            (ind_m,) = np.where(face_medias == u)
            if ct < 2:
                media_norm_feats += [face_norm_feats[ind_m]]
            else:
                media_norm_feats += [np.mean(face_norm_feats[ind_m], 0, keepdims=True)]
        media_norm_feats = np.array(media_norm_feats)
        template_feats[count_template] = np.sum(media_norm_feats, 0)
    template_norm_feats = template_feats / np.sqrt(np.sum(template_feats ** 2, -1, keepdims=True))
    return template_norm_feats, unique_templates, unique_subjectids
def gen_mask(query_ids, reg_ids):
    mask = []
    for query_id in query_ids:
        pos = [i for i, x in enumerate(reg_ids) if query_id == x]
        if len(pos) != 1:
            raise RuntimeError('RegIdsError')
        mask.append(pos[0])
    return mask
def one_to_n(img_input_feats):
    g1t, g1s = read_csv('ijbc_1N_gallery_G1.csv'); g2t, g2s = read_csv('ijbc_1N_gallery_G2.csv')
    pt, ps = read_csv('ijbc_1N_probe_mixed.csv')
    gallery_feats, _, gallery_ids = image2template_feature_1n(img_input_feats, templates, medias,
        np.concatenate([g1t, g2t]), np.concatenate([g1s, g2s]))
    probe_feats, _, probe_ids = image2template_feature_1n(img_input_feats, templates, medias, pt, ps)
    mask = gen_mask(probe_ids, gallery_ids)
    query_num = probe_feats.shape[0]
    similarity = np.dot(probe_feats, gallery_feats.T)
    top_inds = np.argsort(-similarity)
    out = {}
    for k in (1, 5, 10):
        out['top%d' % k] = sum(1 for i in range(query_num) if mask[i] in top_inds[i, 0:k]) / query_num
    Fars = [0.01, 0.1]
    required_topk = [math.ceil(query_num * x) for x in Fars]
    top_sims = similarity
    pos_sims = []
    for i in range(query_num):
        pos_sims.append(top_sims[i, mask[i]]); top_sims[i, mask[i]] = -2.0
    pos_sims = np.array(pos_sims)
    neg_sims = heapq.nlargest(max(required_topk), top_sims[np.where(top_sims > -2.0)])
    out['tpir_at_fpir'] = {str(far): float(np.sum(pos_sims > neg_sims[pos - 1]) / query_num)
                           for far, pos in zip(Fars, required_topk)}
    out['probes'] = int(query_num); out['gallery'] = int(gallery_feats.shape[0])
    return out

expected = {'made_with': {'numpy': np.__version__, 'sklearn': sklearn.__version__},
            'faces': n, 'pairs': len(pairs), 'genuine': int(label.sum()), 'modes': {}}
for norm in (0, 1):
    for det in (0, 1):
        for flip in (0, 2):
            mode = 'N%dD%dF%d' % (norm, det, flip)
            x = image_features(features, norm, det, flip)
            tf, ut = image2template_feature(x, templates, medias)
            scores = verification(tf, ut, p1, p2)
            if mode == 'N1D1F2':
                np.save(os.path.join(HERE, 'scores_N1D1F2.npy'), scores)
            expected['modes'][mode] = {'one_to_one': one_to_one(scores), 'one_to_n': one_to_n(x),
                                       'templates': int(len(ut))}
with open(os.path.join(HERE, 'expected.json'), 'w') as j:
    json.dump(expected, j, indent=1, sort_keys=True)
    j.write('\n')
print(json.dumps(expected['modes']['N1D1F2'], indent=1), n, 'faces', len(pairs), 'pairs')
