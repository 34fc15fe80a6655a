"""The anchor of bench-decode: OpenCV-Python's cv2.imdecode over the same .rec, one core.

  java -jar runners/target/facebeam.jar bench-decode --recordCount=N --keep=DIR   # writes DIR/bench.rec, .idx
  python3 scripts/bench_decode_cv2.py DIR [--limit=N]

What a Python user writes to read an InsightFace .rec (as mxnet.recordio's MXIndexedRecordIO and
unpack_img do it, without mxnet): the .idx's offsets, each record's RecordIO frame, the 24-byte IRHeader
(flag, label, id, id2; flag > 0: flag float labels follow), then cv2.imdecode of the image bytes,
colour, one thread (cv2.setNumThreads(1)). Prints images/s for the whole loop (read + unpack + decode)
and for the decode alone over bytes held in memory, and the peak RSS.
"""
import resource
import struct
import sys
import time

import cv2
import numpy as np

MAGIC = 0xCED7230A


def records(folder, limit):
    offsets = []
    with open(f"{folder}/bench.idx") as f:
        for line in f:
            key, off = line.split("\t")
            offsets.append((int(key), int(off)))
    offsets.sort()
    with open(f"{folder}/bench.rec", "rb") as rec:
        n = 0
        for key, off in offsets:
            rec.seek(off)
            magic, lrec = struct.unpack("<II", rec.read(8))
            assert magic == MAGIC, f"bench.rec@{off}: not a RecordIO record"
            cflag, length = lrec >> 29, lrec & ((1 << 29) - 1)
            assert cflag == 0, f"bench.rec@{off}: a split record (not written by bench-decode)"
            payload = rec.read(length)
            flag, label, _, _ = struct.unpack("<IfQQ", payload[:24])
            image = payload[24 + 4 * flag:]
            if len(image) == 0:
                continue  # the header and identity records
            yield image
            n += 1
            if limit and n >= limit:
                return


def main():
    folder = sys.argv[1]
    limit = next((int(a.split("=", 1)[1]) for a in sys.argv[2:] if a.startswith("--limit=")), 0)
    cv2.setNumThreads(1)
    t0 = time.perf_counter()
    n = 0
    for image in records(folder, limit):
        if cv2.imdecode(np.frombuffer(image, np.uint8), cv2.IMREAD_COLOR) is None:
            raise SystemExit("cv2.imdecode refused a record")
        n += 1
    loop = time.perf_counter() - t0
    held = [np.frombuffer(b, np.uint8) for b in records(folder, 20_000)]
    best = 0.0
    for _ in range(3):
        t = time.perf_counter()
        for b in held:
            cv2.imdecode(b, cv2.IMREAD_COLOR)
        best = max(best, len(held) / (time.perf_counter() - t))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3
    print(f"cv2 {cv2.__version__}, 1 thread: read + unpack + imdecode {n / loop:,.0f} images/s ({n} in {loop:.1f} s);"
          f" imdecode alone over {len(held)} held {best:,.0f} images/s; peak RSS {rss:,.0f} MB")


if __name__ == "__main__":
    main()
