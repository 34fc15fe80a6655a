"""Reference sums for NumpySumsTest: np.sum(x * y) of float64 rows of awkward lengths, as NumPy computes them.

    python3 make_dots.py   # NumPy 2 (2.4.6 here); writes dots.txt

Rows are drawn from a fixed seed with magnitudes spread over 1e-3..1e3, so that the summation order shows in the
last bits. Each line: length, then x and y as hex floats, then np.sum(x * y) as a hex float.
"""
import numpy as np

rng = np.random.default_rng(25)
with open('dots.txt', 'w') as f:
    f.write('# np.sum(x * y), NumPy %s: length x... y... sum (hex floats)\n' % np.__version__)
    for n in [0, 1, 7, 8, 9, 15, 16, 17, 127, 128, 129, 135, 136, 255, 256, 257, 300, 512, 513, 1031]:
        x = rng.standard_normal(n) * 10.0 ** rng.uniform(-3, 3, n)
        y = rng.standard_normal(n) * 10.0 ** rng.uniform(-3, 3, n)
        s = np.sum(x * y)
        f.write(' '.join([str(n)] + [float(v).hex() for v in x] + [float(v).hex() for v in y] + [float(s).hex()]) + '\n')
