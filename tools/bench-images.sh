#!/bin/sh
# make bench (images): images per second of faceaudit (face.image.cascade) on the labelled
# set tests/eval/faces.tsv against a plain python3-opencv script running
# haarcascade_frontalface_default at OpenCV's default parameters on the same images, both
# pinned to one core (taskset -c 0); plus faceaudit's peak RSS on a generated 50-MP image.
# Appends one row to the `make bench` table (tools/bench-lib.sh).
. "$(dirname "$0")/bench-lib.sh"
PY=/usr/bin/python3
$PY -c 'import cv2' 2>/dev/null || { echo "bench-images: python3-opencv missing" >&2; exit 0; }
command -v taskset >/dev/null && PIN="taskset -c 0" || PIN=""
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fa-bench.XXXXXX"); trap 'rm -rf "$tmp"' EXIT
grep -v '^#' "$TOP/tests/eval/faces.tsv" | cut -f1 > "$tmp/files"
n=$(wc -l < "$tmp/files")
cat > "$tmp/base.py" <<'PY'
import cv2, sys
c = cv2.CascadeClassifier('/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml')
for f in open(sys.argv[1]).read().split():
    im = cv2.imread(f)
    if im is None: continue
    c.detectMultiScale(cv2.cvtColor(im, cv2.COLOR_BGR2GRAY))
PY
# The two runs alternate (faceaudit, script, faceaudit, script) and each side keeps its
# best time, so a burst of load on a shared machine does not decide the ratio.
fa_t= py_t=
for i in 1 2; do
    t0=$(now)
    xargs $PIN "$FA" scan --rules "$TOP/rules/faces.yaml" --enable face.image.cascade --format jsonl --fail-on none < "$tmp/files" >/dev/null 2>&1
    t1=$(now)
    OMP_NUM_THREADS=1 $PIN $PY "$tmp/base.py" "$tmp/files" 2>/dev/null
    t2=$(now)
    fa_t=$(awk -v a="$t0" -v b="$t1" -v m="$fa_t" 'BEGIN { t = b - a; print (m == "" || t < m) ? t : m }')
    py_t=$(awk -v a="$t1" -v b="$t2" -v m="$py_t" 'BEGIN { t = b - a; print (m == "" || t < m) ? t : m }')
done
fa_ips=$(awk -v n="$n" -v t="$fa_t" 'BEGIN { printf "%.1f", n / t }')
py_ips=$(awk -v n="$n" -v t="$py_t" 'BEGIN { printf "%.1f", n / t }')
awk -v n="$n" -v fa="$fa_ips" -v py="$py_ips" 'BEGIN {
    printf "faceaudit: %.1f images/s; python3-opencv haar default: %.1f images/s; ratio %.2fx (%d images, one core)\n", fa, py, fa / py, n }'
# Peak RSS on a 50-MP JPEG (8660 x 5773), generated here.
$PY -c "
import numpy as np, cv2
a = np.random.default_rng(1).integers(0, 255, (5773, 8660, 3), dtype=np.uint8)
cv2.imwrite('$tmp/big.jpg', a, [cv2.IMWRITE_JPEG_QUALITY, 60])" 2>/dev/null
fa_rss_kib=0
if [ -x /usr/bin/time ]; then
    timed "$tmp/big.out" "$FA" scan --rules "$TOP/rules/faces.yaml" --enable face.image.cascade --fail-on none "$tmp/big.jpg"
    fa_rss_kib=$RSS
    echo "faceaudit peak RSS on a 50-MP JPEG: $((fa_rss_kib / 1024)) MiB (goal < 300 MiB)"
else
    echo "peak RSS: /usr/bin/time missing (Debian package time)"
fi
row "face detection ($n labelled images)" "$fa_ips" "python3-opencv haar_default" "$py_ips" "images/s" "$fa_rss_kib" ">= 3x, precision >= 0.95"
