"""JPEGs whose Huffman tables are not the standard ones, made by the tools users have, for JpegHuffmanTest:
the glue's Huffman decoder must give libjpeg-turbo's own pixels on them.

  python3 make_huffman.py   # OpenCV-Python (opencv-python-headless 5.0) and Pillow, from a fixture face

Each tool's optimised tables (built for the image: code lengths up to 16 bits, symbols in any order), at
4:2:0, 4:2:2, 4:4:4 and grey, qualities 30 to 100, from an ORL face (92x112) and a noisy copy; 20 files, ~150 KB.
"""
import io

import cv2
import numpy as np
from PIL import Image

face = cv2.imread("../../../../../../../shared/data/orl/s1/1.pgm", cv2.IMREAD_GRAYSCALE)
rng = np.random.default_rng(26)
colour = np.dstack([face, np.roll(face, 7, axis=1), 255 - face]).astype(np.uint8)
noisy = np.clip(colour.astype(int) + rng.integers(-40, 40, colour.shape), 0, 255).astype(np.uint8)

for name, img in [("face", colour), ("noisy", noisy)]:
    for q in (30, 90, 100):
        for sampling, factor in (("420", cv2.IMWRITE_JPEG_SAMPLING_FACTOR_420), ("444", cv2.IMWRITE_JPEG_SAMPLING_FACTOR_444)):
            ok, b = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, q, cv2.IMWRITE_JPEG_OPTIMIZE, 1,
                                               cv2.IMWRITE_JPEG_SAMPLING_FACTOR, factor])
            open(f"cv2-{name}-q{q}-{sampling}-optimized.jpg", "wb").write(b.tobytes())
    ok, b = cv2.imencode(".jpg", img[:, :, 0], [cv2.IMWRITE_JPEG_QUALITY, 95, cv2.IMWRITE_JPEG_OPTIMIZE, 1])
    open(f"cv2-{name}-grey-optimized.jpg", "wb").write(b.tobytes())
    rgb = Image.fromarray(img[:, :, ::-1])
    for q, subsampling in ((50, 2), (95, 1), (75, 0)):  # Pillow: 2 = 4:2:0, 1 = 4:2:2, 0 = 4:4:4
        out = io.BytesIO()
        rgb.save(out, "JPEG", quality=q, subsampling=subsampling, optimize=True)
        open(f"pil-{name}-q{q}-sub{subsampling}-optimized.jpg", "wb").write(out.getvalue())
