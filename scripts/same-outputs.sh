#!/usr/bin/env bash
# Runs every stage with two facebeam jars on the shared fixtures (small_lfw.bin, the ORL faces,
# fr_feature.onnx) and compares every file they write, byte for byte. A refactoring that must not
# change behaviour passes when this prints "same outputs". Only what is meant to differ between
# two runs is set aside: a manifest's "created" time (and a results record's, copied from it), the hashes of other manifests (which hold
# theirs) in a manifest's inputs and in run-state.json, and training's measured samples/s.
#
#   scripts/same-outputs.sh [--ingest-as-records] BEFORE.jar AFTER.jar [DATA (default ../shared/data)]
#
# --ingest-as-records: across the change of ingest's shard layout (docs/decisions.md 14), compare each
# ingest output's records as one sorted set instead of its shard files, and set aside the list of its
# shards (names, sizes, hashes) in its manifest and in the manifests that name it as their input.
#
# Make BEFORE.jar from the earlier commit: git worktree add /tmp/before <commit> &&
# (cd /tmp/before && mvn -B -q package -DskipTests) && cp /tmp/before/runners/target/facebeam.jar /tmp/before.jar
set -euo pipefail
as_records=0
if [ "${1:-}" = "--ingest-as-records" ]; then
  as_records=1; shift
fi
before=$(realpath "$1")
after=$(realpath "$2")
data=$(realpath "${3:-../shared/data}")
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A fixed pairs list over ORL (200 pairs: same person, images 1 and 2; different, image 3 of s and s+19).
pairs="$work/orl-pairs.txt"
for s in $(seq 1 40); do
  echo "s$s/1.pgm s$s/2.pgm 1"
  t=$(( s + 19 > 40 ? s - 21 : s + 19 )); [ "$t" -lt 1 ] && t=$(( s + 1 ))
  echo "s$s/3.pgm s$t/3.pgm 0"
done > "$pairs"

stages() { # $1 jar, $2 output root
  local jar=$1 out=$2 fb
  fb() {
    if ! (cd "$out" && java -jar "$jar" "$@" > "$out.out" 2> "$out.err"); then
      echo "failed with $jar: $*" >&2; tail -n 5 "$out.out" "$out.err" >&2; exit 1
    fi
  }
  mkdir -p "$out/dataset"
  fb pack --input="$data/orl" --format=folder --output="$out/orl.rec"
  fb pack --input="$data/orl" --format=folder --output="$out/dataset/orl.bin" --pairs="$pairs"
  fb pack --input="$data/orl" --format=folder --output="$out/orl-p2-numpy.bin" --pairs="$pairs" --protocol=2 --elements=numpy
  cp "$data/bin/small_lfw.bin" "$out/dataset/lfw.bin"
  fb ingest --input="$data/bin/small_lfw.bin" --output=ingest-lfw --exportImages=crops-lfw
  fb ingest --input="$out/orl.rec" --output=ingest-orl-rec
  fb ingest --input="$data/orl" --output=ingest-orl --recordsPerShard=150
  fb embed --records=ingest-lfw --model="$data/models/faceplugin/fr_feature.onnx" --mean=127 --output=embed-lfw --exportNpy=true
  fb embed --records=ingest-orl --model="$data/models/faceplugin/fr_feature.onnx" --mean=127 --output=embed-orl \
    --exportDevkit=devkit-orl --embeddingsPerShard=100 --flip=false
  fb verify --embeddings=embed-lfw --output=verify-lfw
  fb embed --records=ingest-orl --model="$data/models/faceplugin/fr_feature.onnx" --mean=127 --output=embed-orl-npy --exportNpy=true
  # MegaFace in its NumPy form: ORL's 40 identities as probes, LFW's 20 faces as distractors.
  paste -d/ "$out/embed-orl-npy/labels.txt" "$out/embed-orl-npy/ids.txt" > "$out/probes.lst"
  fb megaface --probesNpy=embed-orl-npy/embeddings.npy --probesList=probes.lst --distractorsNpy=embed-lfw/embeddings.npy \
    --distractorsList=embed-lfw/ids.txt --output=megaface --sizes=10,100 --far=0.01,0.1
  fb evaluate --dataset=dataset --model="$data/models/faceplugin/fr_feature.onnx" --mean=127 --output=evaluate --targets=lfw,orl,cfp_fp
  printf '{"dataset": "dataset", "targets": ["lfw", "orl"], "model": "%s", "mean": 127, "flip": true}\n' \
    "$data/models/faceplugin/fr_feature.onnx" > "$out/run.json"
  fb run --config=run.json --workdir=run
  # Training is deterministic on the CPU for a seed: checkpoints compare byte for byte.
  mkdir -p "$out/trainset" && cp "$out/dataset/orl.bin" "$out/trainset/"
  fb pack --input="$data/orl" --format=folder --output="$out/trainset/train.rec"
  fb train --config="$repo/configs/ir-small-softmax-orl.json" --dataset=trainset --output=train --max_steps=10 \
    --verbose=5 --ckpt=2 --frequent=5 --workers=1
  fb lr-probe --config="$repo/configs/ir-small-softmax-orl.json" --dataset=trainset --output=lr-probe --lrs=0.1,0.01 \
    --steps=8 --workers=1
}

# Both jars write under the same path (outputs name their inputs' paths), then are set side by side.
stages "$before" "$work/run" && mv "$work/run" "$work/before"
stages "$after" "$work/run" && mv "$work/run" "$work/after"
rm -f "$work"/*.out "$work"/*.err

if [ $as_records -eq 1 ]; then
  # Each ingest output's shards become one file of its framed records, sorted by their bytes.
  python3 - "$work/before" "$work/after" <<'PY'
import json, os, re, sys
for root in sys.argv[1:]:
    for d, _, files in os.walk(root):
        if "manifest.json" not in files or json.load(open(os.path.join(d, "manifest.json"))).get("stage") != "ingest":
            continue
        records = []
        for f in sorted(x for x in files if re.fullmatch(r"part-\d+-of-\d+\.pb", x)):
            data = open(os.path.join(d, f), "rb").read()
            i = 0
            while i < len(data):
                n, shift, start = 0, 0, i
                while True:
                    b = data[i]; i += 1
                    n |= (b & 0x7F) << shift; shift += 7
                    if b < 0x80:
                        break
                records.append(data[start:i + n]); i += n
            os.remove(os.path.join(d, f))
        records.sort()
        with open(os.path.join(d, "ingest-records.sorted"), "wb") as out:
            out.write(b"".join(records))
PY
fi

normalise() { # drop what differs between any two runs: the time, and hashes of files holding a time
  case "$1" in
    *manifest.json) python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
m.pop("created", None)
for i in m.get("inputs", []):
    if i["path"].endswith("manifest.json"):
        i.pop("sha256", None)
if sys.argv[2] == "1":
    import re
    shard = re.compile(r"(^|/)part-\d+-of-\d+\.pb$")
    if m.get("stage") == "ingest":
        m.pop("shards", None)
        m["outputs"] = [o for o in m.get("outputs", []) if not shard.search(o["path"])]
    m["inputs"] = [i for i in m.get("inputs", []) if not (shard.search(i["path"]) and "ingest" in i["path"])]
print(json.dumps(m, indent=1))' "$1" "$as_records" ;;
    *run-state.json) grep -v '"manifest_sha256":' "$1" ;;
    */facebeam-results/records/*.json) grep -v '^  "created": ' "$1" ;; # a record keeps its stage output's time
    *metrics.jsonl) sed 's/"samples_per_sec": [^}]*/"samples_per_sec": T/' "$1" ;; # a measured time
    *) cat "$1" ;;
  esac
}

status=0
count=0
while IFS= read -r f; do
  count=$((count + 1))
  if [ ! -f "$work/after/$f" ]; then
    echo "only before: $f"; status=1
  elif ! cmp -s <(normalise "$work/before/$f") <(normalise "$work/after/$f"); then
    echo "differs: $f"; status=1
  fi
done < <(cd "$work/before" && find . -type f | sort)
while IFS= read -r f; do
  [ -f "$work/before/$f" ] || { echo "only after: $f"; status=1; }
done < <(cd "$work/after" && find . -type f | sort)
[ $status -eq 0 ] && echo "same outputs: $count files"
exit $status
