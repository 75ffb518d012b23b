#!/bin/sh
# make bench (issue 4): face-template detection speed on JSON-lines logs carrying embedded
# 512-d arrays, against ripgrep searching the same file for the arrays' key. Prints MB/s of
# each, the ratio, and faceaudit's peak RSS. Goal: >= 100 MB/s per core.
#   BENCH_MB=N (default 120): size of the generated log.
set -u
BUILD=${BUILD:-build}
FA=${FA:-$BUILD/faceaudit}
TOP=${TOP:-$(pwd)}
MB=${BENCH_MB:-120}
PY=""
for p in /usr/bin/python3 python3; do
    if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import numpy' 2>/dev/null; then PY=$p; break; fi
done
[ -n "$PY" ] || { echo "bench-templates: python3 with numpy needed" >&2; exit 0; }
DIR=$(mktemp -d "${TMPDIR:-/tmp}/fa-bench-vec.XXXXXX")
trap 'rm -rf "$DIR"' EXIT
"$PY" - "$DIR/api.jsonl" "$MB" <<'PYEOF'
import json, sys, numpy as np
r = np.random.default_rng(1)
lines = []
for i in range(2000):
    x = r.standard_normal(512); x /= np.linalg.norm(x)
    lines.append(json.dumps({"ts": "2025-01-01T00:00:00Z", "request_id": "r%d" % i, "level": "info",
                             "result": {"face_id": "f%d" % i, "embedding": [round(float(v), 7) for v in x]}}))
    lines.append(json.dumps({"ts": "2025-01-01T00:00:01Z", "request_id": "r%d" % i, "level": "info", "msg": "served", "ms": 12}))
block = ("\n".join(lines) + "\n").encode()
with open(sys.argv[1], "wb") as f:
    n = 0
    while n < int(sys.argv[2]) << 20:
        f.write(block); n += len(block)
PYEOF
bytes=$(wc -c <"$DIR/api.jsonl")
now() { date +%s.%N; }
t0=$(now)
if [ -x /usr/bin/time ]; then
    /usr/bin/time -f '%M' -o "$DIR/rss" "$FA" scan --format jsonl --rules "$TOP/rules/templates.yaml" "$DIR/api.jsonl" >"$DIR/out" 2>/dev/null
else
    "$FA" scan --format jsonl --rules "$TOP/rules/templates.yaml" "$DIR/api.jsonl" >"$DIR/out" 2>/dev/null
fi
t1=$(now)
rg -c '"embedding"' "$DIR/api.jsonl" >/dev/null 2>&1
t2=$(now)
. "$(dirname "$0")/bench-lib.sh"
fa_mbs=$(awk -v b="$bytes" -v a="$t0" -v f="$t1" 'BEGIN { printf "%.0f", b / 1048576 / (f - a) }')
rg_mbs=$(awk -v b="$bytes" -v f="$t1" -v r="$t2" 'BEGIN { printf "%.0f", b / 1048576 / (r - f) }')
row "face templates in JSON lines ($((bytes >> 20)) MB, 512-d arrays)" "$fa_mbs" "rg '\"embedding\"'" "$rg_mbs" "MB/s" \
    "$(tail -1 "$DIR/rss" 2>/dev/null || echo 0)" ">= 100 MB/s per core" >/dev/null
awk -v b="$bytes" -v a="$t0" -v f="$t1" -v r="$t2" -v rss="$(tail -1 "$DIR/rss" 2>/dev/null || echo "?")" -v n="$(wc -l <"$DIR/out")" 'BEGIN {
    fa = b / 1048576 / (f - a); rgs = b / 1048576 / (r - f);
    printf "jsonl with 512-d embeddings, %.0f MB: faceaudit %.0f MB/s (%d finding), ripgrep \"embedding\" %.0f MB/s, ratio %.2f, faceaudit peak RSS %s KiB\n", b / 1048576, fa, n, rgs, fa / rgs, rss
    if (fa < 100) { print "below the 100 MB/s goal"; exit 1 }
}'
