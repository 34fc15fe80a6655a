#!/usr/bin/env python3
"""Image files in the modes a face pack can hold, written by the tools users have, and what
OpenCV's cv2.imread(path, cv2.IMREAD_COLOR) — InsightFace's decoder — makes of each.

Source: the first face of ../shared/data/bin/small_lfw.bin (LFW), resized to 64x48 (w x h, not square,
so a transposed image cannot pass for an upright one).

  cmyk.jpg          Pillow, mode CMYK (Adobe APP14, inverted CMYK, as Photoshop writes)
  ycck.jpg          imagecodecs (libjpeg-turbo) jpeg8_encode(colorspace='CMYK', outcolorspace='YCCK') of the
                    inverted CMYK values (the Adobe convention its APP14 marker declares)
  grey16.png        OpenCV imwrite of a uint16 grey image (value = 8-bit grey * 257 + ramp)
  palette.png       Pillow, mode P (adaptive 64-colour palette)
  grey_alpha.png    Pillow, mode LA
  rgba.png          Pillow, mode RGBA (alpha a ramp; OpenCV drops it, no blending)
  grey4.png         Pillow, mode L saved with bits=4
  orient-N.jpg      Pillow, the RGB face with EXIF Orientation N (1..8), pixels stored as they are
  orient-N.png      the same for N = 3, 6 (a PNG eXIf chunk: OpenCV 5 turns PNGs too)

For each X, expected/X.png (e.g. expected/cmyk.jpg.png) is cv2.imread(X, IMREAD_COLOR) written losslessly by cv2.imwrite (which
stores OpenCV's BGR array as an RGB PNG). ImageCodecTest decodes X and compares every pixel.

  pip install pillow opencv-python-headless imagecodecs numpy && python3 make_modes.py PATH/TO/small_lfw.bin
"""
import io
import os
import pickle
import sys

import cv2
import imagecodecs
import numpy as np
from PIL import Image

src = sys.argv[1] if len(sys.argv) > 1 else "../../../../../../../shared/data/bin/small_lfw.bin"
with open(src, "rb") as f:
    bins, _ = pickle.load(f, encoding="bytes")
first = np.frombuffer(bytes(bins[0]), np.uint8)
bgr = cv2.resize(cv2.imdecode(first, cv2.IMREAD_COLOR), (64, 48), interpolation=cv2.INTER_AREA)
rgb = Image.fromarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))

rgb.convert("CMYK").save("cmyk.jpg", quality=95)
cmyk = np.asarray(rgb.convert("CMYK"))
with open("ycck.jpg", "wb") as f:
    f.write(imagecodecs.jpeg8_encode(255 - cmyk, level=95, colorspace="CMYK", outcolorspace="YCCK"))
grey = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY).astype(np.uint16)
ramp = (np.arange(64, dtype=np.uint16)[None, :] * 4) % 256
cv2.imwrite("grey16.png", grey * 257 - ramp)
rgb.convert("P", palette=Image.Palette.ADAPTIVE, colors=64).save("palette.png")
la = rgb.convert("LA")
la.putalpha(Image.fromarray((np.arange(64, dtype=np.uint8)[None, :] * 4).repeat(48, 0)))
la.save("grey_alpha.png")
rgba = rgb.copy()
rgba.putalpha(Image.fromarray((255 - np.arange(48, dtype=np.uint8)[:, None] * 5).repeat(64, 1)))
rgba.save("rgba.png")
rgb.convert("L").save("grey4.png", bits=4)
for n in range(1, 9):
    exif = Image.Exif()
    exif[0x0112] = n
    rgb.save(f"orient-{n}.jpg", quality=95, exif=exif.tobytes())
    if n in (3, 6):
        rgb.save(f"orient-{n}.png", exif=exif.tobytes())

os.makedirs("expected", exist_ok=True)
for name in sorted(os.listdir(".")):
    if name.endswith((".jpg", ".png")):
        img = cv2.imread(name, cv2.IMREAD_COLOR)
        cv2.imwrite(os.path.join("expected", name + ".png"), img)
        print(name, img.shape, round(float(img.mean()), 2))
print("opencv", cv2.__version__, "pillow", Image.__version__, "imagecodecs", imagecodecs.__version__, "numpy", np.__version__)
