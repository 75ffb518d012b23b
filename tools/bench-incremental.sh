#!/bin/sh
# make bench: the second, incremental run of a scan (--state) against the first one on the
# same unchanged tree. Goal: at least 20x faster.
#   BENCH_FILES=N (default 4000) log files of about 256 KiB (1 GiB in all).
set -u
. "$(dirname "$0")/bench-lib.sh"
N=${BENCH_FILES:-4000}
DIR=$(mktemp -d "${TMPDIR:-/tmp}/fa-bench-inc.XXXXXX")
trap 'rm -rf "$DIR"' EXIT
python3 - "$DIR/tree" "$N" <<'PY'
import os, sys, random
d, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(3)
block = "".join("2025-01-01T00:00:%02dZ req=%%d status=200 path=/api/v1/items/%d %s\n"
                % (k % 60, k, "y" * rnd.randint(40, 160)) for k in range(2200))
for i in range(n):
    sub = "%s/d%02d" % (d, i % 50)
    os.makedirs(sub, exist_ok=True)
    with open("%s/f%05d.log" % (sub, i), "w") as f:
        f.write(block.replace("%d", str(i)))
        if i % 100 == 0:
            f.write("POST https://westeurope.api.cognitive.microsoft.com/face/v1.0/detect 200\n")
PY
cat "$DIR"/tree/*/* > /dev/null
mb=$(du -sm "$DIR/tree" | cut -f1)
timed "$DIR/first.json" "$FA" scan --quiet --state "$DIR/st.db" --format json -o - --rules "$TOP/rules/vendors.yaml" "$DIR/tree"
t1=$T; r1=$RSS
timed "$DIR/second.json" "$FA" scan --quiet --state "$DIR/st.db" --format json -o - --rules "$TOP/rules/vendors.yaml" "$DIR/tree"
t2=$T; r2=$RSS
same=$(jq -c '[.stats.findings, .stats.objects]' "$DIR/first.json")
again=$(jq -c '[.stats.findings, .stats.objects, .stats.read_bytes]' "$DIR/second.json")
speedup=$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.1f", a / b }')
rss=$(( r1 > r2 ? r1 : r2 ))
row "incremental second run, logs only ($N files, $mb MB; first $same, second $again)" "$t2" "first run" "$t1" "s" "$rss" ">= 20x faster" "$speedup"

# The same logs plus a photo export (the labelled face set, BENCH_PHOTO_COPIES=N times,
# default 3): what a bucket of uploads looks like, where the first run pays for detection.
copies=${BENCH_PHOTO_COPIES:-3}
c=0; n=0
while [ $c -lt "$copies" ]; do
    mkdir -p "$DIR/tree/photos/c$c"
    while IFS='	' read -r file _; do
        case $file in ''|\#*) continue ;; esac
        [ -f "$file" ] && cp "$file" "$DIR/tree/photos/c$c/$n-$(basename "$file")" && n=$((n + 1))
    done < "$TOP/tests/eval/faces.tsv"
    c=$((c + 1))
done
rm -f "$DIR/st.db"
timed "$DIR/first.json" "$FA" scan --quiet --state "$DIR/st.db" --format json -o - --rules "$TOP/rules" "$DIR/tree"
t1=$T; r1=$RSS
timed "$DIR/second.json" "$FA" scan --quiet --state "$DIR/st.db" --format json -o - --rules "$TOP/rules" "$DIR/tree"
t2=$T; r2=$RSS
same=$(jq -c '[.stats.findings, .stats.objects]' "$DIR/first.json")
again=$(jq -c '[.stats.findings, .stats.objects, .stats.read_bytes]' "$DIR/second.json")
speedup=$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.1f", a / b }')
rss=$(( r1 > r2 ? r1 : r2 ))
row "incremental second run, logs + $n photos, all packs (first $same, second $again)" "$t2" "first run" "$t1" "s" "$rss" ">= 20x faster" "$speedup"
