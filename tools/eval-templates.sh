#!/bin/sh
# Quality of face-template detection (issue 4): generates a labelled corpus in every
# container (tools/templates_corpus.py: npy v1-3 both byte orders f2/f4/f8, npz, pickle
# protocols 2-5, JSON documents, JSON-lines logs, CSV, pgvector text, base64 in logs, FAISS,
# safetensors) with positives shaped like real models and hard negatives, scans it with
# rules/templates.yaml, and prints precision and recall per file. Fails below precision
# 0.98 or recall 0.95.
#   EVAL_SCALE=N (default 6): samples per generator and container.
set -u
BUILD=${BUILD:-build}
FA=${FA:-$BUILD/faceaudit}
TOP=${TOP:-$(pwd)}
SCALE=${EVAL_SCALE:-6}
PY=""
for p in /usr/bin/python3 python3; do
    if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import numpy' 2>/dev/null; then PY=$p; break; fi
done
if [ -z "$PY" ]; then
    echo "eval-templates: python3 with numpy (Debian python3-numpy) is needed" >&2
    exit 77
fi
DIR=$(mktemp -d "${TMPDIR:-/tmp}/fa-eval-vec.XXXXXX")
trap 'rm -rf "$DIR"' EXIT
"$PY" "$TOP/tools/templates_corpus.py" corpus "$DIR/corpus" --scale "$SCALE" || exit 2
"$FA" scan --format jsonl --rules "$TOP/rules/templates.yaml" "$DIR/corpus" >"$DIR/findings.jsonl" 2>"$DIR/stderr"
rc=$?
if [ $rc -ne 0 ] && [ $rc -ne 1 ]; then
    cat "$DIR/stderr" >&2
    echo "eval-templates: scan failed (exit $rc)" >&2
    exit 2
fi
"$PY" - "$DIR/corpus" "$DIR/findings.jsonl" <<'PYEOF'
import json, os, sys
root, res = sys.argv[1], sys.argv[2]
labels = {}
for line in open(os.path.join(root, "labels.tsv")):
    rel, lab, what = line.rstrip("\n").split("\t")
    labels[rel] = (int(lab), what)
hit = set()
for line in open(res):
    f = json.loads(line)
    if f.get("category") != "face_template":
        continue
    p = f["location"]["path"]
    rel = os.path.relpath(p, root)
    hit.add(rel)
tp = sum(1 for r, (l, _) in labels.items() if l and r in hit)
fn = [(r, w) for r, (l, w) in labels.items() if l and r not in hit]
fp = [(r, w) for r, (l, w) in labels.items() if not l and r in hit]
pos = sum(1 for l, _ in labels.values() if l)
neg = len(labels) - pos
prec = tp / (tp + len(fp)) if tp + len(fp) else 1.0
rec = tp / pos if pos else 1.0
# per container recall, to show where misses are
by = {}
for r, (l, _) in labels.items():
    if l:
        c = r.split("/")[0]
        a = by.setdefault(c, [0, 0]); a[1] += 1; a[0] += r in hit
print("files: %d positive, %d negative" % (pos, neg))
print("per container recall: " + ", ".join("%s %d/%d" % (c, a[0], a[1]) for c, a in sorted(by.items())))
for r, w in fn[:10]:
    print("  missed:", r, "(%s)" % w)
for r, w in fp[:10]:
    print("  false positive:", r, "(%s)" % w)
print("precision %.4f recall %.4f (tp %d, fp %d, fn %d)" % (prec, rec, tp, len(fp), len(fn)))
sys.exit(0 if prec >= 0.98 and rec >= 0.95 else 1)
PYEOF
