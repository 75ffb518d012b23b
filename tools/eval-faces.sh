#!/bin/sh
# make eval (face images): scans every image of tests/eval/faces.tsv with faceaudit's
# face.image.cascade rule and with the naive baseline (one Haar cascade at OpenCV's default
# parameters, the same kind with `verify: [none]`), prints precision and recall of both, and
# exits 1 when faceaudit's precision < 0.95 or recall < 0.85. Exit 77: packages missing.
BUILD=${BUILD:-build}
FA=${FA:-$BUILD/faceaudit}
TOP=${TOP:-$(pwd)}
TSV=$TOP/tests/eval/faces.tsv
command -v jq >/dev/null || { echo "eval-faces: jq missing" >&2; exit 77; }
[ -d /usr/share/opencv4/haarcascades ] || { echo "eval-faces: opencv-data missing" >&2; exit 77; }
missing=0
for f in $(grep -v '^#' "$TSV" | cut -f1); do [ -f "$f" ] || missing=$((missing+1)); done
[ "$missing" -eq 0 ] || { echo "eval-faces: $missing images missing (install opencv-doc python3-skimage)" >&2; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fa-eval.XXXXXX"); trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/baseline.yaml" <<'YAML'
id: baseline
version: 0.0.0
description: naive baseline - one Haar cascade at OpenCV's default parameters
rules:
  - id: baseline.haar_default
    kind: image
    category: face_image
    severity: high
    description: haarcascade_frontalface_default, scaleFactor 1.1, minNeighbors 3, no verification, no downscaling.
    cascades: [haarcascade_frontalface_default]
    verify: [none]
    min_face_px: 8
    work_side: 16384
    examples: {match: ["file:x"], no_match: ["file:y"]}
YAML
# One scan per rule set over the list; findings are matched back to files by path.
grep -v '^#' "$TSV" | cut -f1 > "$tmp/files"
score() {  # $1 = rules file, $2 = rule id -> prints "P R tp fp fn tn"
    xargs "$FA" scan --rules "$1" --enable "$2" --format jsonl --fail-on none < "$tmp/files" \
        2>"$tmp/err" | jq -r '.location.path' | sort -u > "$tmp/hits"
    grep -v '^#' "$TSV" | awk -F'\t' -v hits="$tmp/hits" '
        BEGIN { while ((getline l < hits) > 0) h[l] = 1 }
        { f = ($2 == "face"); d = ($1 in h)
          if (f && d) tp++; else if (f) fn++; else if (d) fp++; else tn++ }
        END { p = (tp + fp) ? tp / (tp + fp) : 1; r = (tp + fn) ? tp / (tp + fn) : 0
              printf "%.3f %.3f %d %d %d %d\n", p, r, tp, fp, fn, tn }'
}
set -- $(score "$TOP/rules/faces.yaml" face.image.cascade)
P=$1 R=$2
echo "faceaudit face.image.cascade: precision $1 recall $2 (tp $3 fp $4 fn $5 tn $6) on $(wc -l < "$tmp/files") images"
if [ -z "${EVAL_NO_BASELINE:-}" ]; then
set -- $(score "$tmp/baseline.yaml" baseline.haar_default)
echo "baseline haar_default:        precision $1 recall $2 (tp $3 fp $4 fn $5 tn $6)"
fi
awk -v p="$P" -v r="$R" 'BEGIN { exit !(p >= 0.95 && r >= 0.85) }' && exit 0
echo "eval-faces: below the thresholds (precision >= 0.95, recall >= 0.85)" >&2
exit 1
