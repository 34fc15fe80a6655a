# Writes the pickle conformance fixtures with the real tools (see README.md beside this file).
# Run under each interpreter; each writes the files it can:
#   PYENV_VERSION=2.7.18 python2 make_pickles.py   -> py2-*  (cPickle and pickle, str elements)
#   python3 make_pickles.py  (pyenv 3.11, numpy 2.x)  -> py3-*, np2-*
#   /usr/bin/python3 make_pickles.py (Debian numpy 1.x) -> np1-*
# Every pack holds IMAGES elements whose bytes and flags follow element()/issame() below; the Java
# test recomputes them independently of any pickle code.
import gzip
import io
import os
import sys

IMAGES = 12000
HERE = os.path.dirname(os.path.abspath(__file__))


def element(i):
    if i == 7:
        n = 0  # empty bytes: Python 3 writes bytes() as a REDUCE of builtins.bytes at protocol 2
    elif i == 4321:
        n = 70000  # over pickle's 64 KiB frame target: written outside a frame at protocol 4+
    elif i % 97 == 0:
        n = 300  # over 255: BINSTRING / BINBYTES with a 4-byte length
    else:
        n = 1 + (i * 7) % 13
    return bytes(bytearray(((i * 31 + k * 7) & 0xFF) for k in range(n)))


def issame(i):
    return i % 3 != 1


def save(name, obj, dump):
    buf = io.BytesIO()
    dump(obj, buf)
    with open(os.path.join(HERE, name + '.gz'), 'wb') as raw:
        # mtime=0 and no file name: the same input gives the same .gz bytes
        with gzip.GzipFile(filename='', mode='wb', fileobj=raw, mtime=0) as gz:
            gz.write(buf.getvalue())
    print(name, len(buf.getvalue()))


bins = [element(i) for i in range(IMAGES)]
bools = [issame(i) for i in range(IMAGES // 2)]
ints = [1 if b else 0 for b in bools]

if sys.version_info[0] == 2:
    import cPickle
    import pickle
    save('py2-cpickle-p2-list-bools.bin', (bins, bools), lambda o, f: cPickle.dump(o, f, 2))
    save('py2-pickle-p2-tuple-ints.bin', (tuple(bins), ints), lambda o, f: pickle.dump(o, f, 2))
    sys.exit(0)

import pickle

try:
    import numpy as np
except ImportError:
    np = None

if np is None or np.__version__.startswith('2.'):
    for p in (2, 3, 4, 5):
        save('py3-p%d-list-bools.bin' % p, (bins, bools), lambda o, f, p=p: pickle.dump(o, f, p))
    for p in (2, 4):
        save('py3-p%d-tuple-ints.bin' % p, (tuple(bins), ints), lambda o, f, p=p: pickle.dump(o, f, p))

if np is not None:
    tag = 'np' + np.__version__.split('.')[0]
    # cv2.imencode gives an (N, 1) uint8 array; copies own their (writable) memory
    arrays = [np.frombuffer(b, dtype=np.uint8).reshape(-1, 1).copy() for b in bins]
    flags = np.array(bools, dtype=bool)
    for p in (2, 4):
        save('%s-p%d-uint8-bools.bin' % (tag, p), (arrays, bools), lambda o, f, p=p: pickle.dump(o, f, p))
    for p in (3, 4, 5):
        save('%s-p%d-uint8-npbool.bin' % (tag, p), (arrays, flags), lambda o, f, p=p: pickle.dump(o, f, p))
