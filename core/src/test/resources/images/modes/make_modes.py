#!/usr/bin/env python3
"""Image files in the modes a face pack can hold, written by the tools users have, and what
OpenCV's cv2.imread(path, cv2.IMREAD_COLOR) — InsightFace's decoder — makes of each.

Source: a synthetic 64x48 RGB picture (w x h, not square, so a transposed image cannot pass for an
upright one) drawn here with numpy — smooth gradients, a bright disc, dark bars and seeded noise, so
JPEG coding meets both flat and sharp areas. No real fixture is copied into the repository.

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

  pip install pillow opencv-python-headless imagecodecs numpy && python3 make_modes.py
"""
import os

import cv2
import imagecodecs
import numpy as np
from PIL import Image

yy, xx = np.mgrid[0:48, 0:64].astype(np.float32)
img = np.stack([40 + 3 * xx, 30 + 4 * yy, 200 - 2 * xx - yy], -1)
img[(xx - 40) ** 2 + (yy - 20) ** 2 < 120] = (250, 235, 210)
img[30:36, 8:30] = (20, 25, 40)
img[8:40, 52:55] = (90, 10, 10)
img += np.random.default_rng(20261206).normal(0, 6, img.shape)
rgb = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB")
bgr = cv2.cvtColor(np.asarray(rgb), cv2.COLOR_RGB2BGR)

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
