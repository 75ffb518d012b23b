#!/bin/sh
# make bench: -j 2 against -j 1 on the image benchmark (the labelled face set of
# tests/eval/faces.tsv, copied BENCH_COPIES=N times, default 3), where detection dominates.
# Goal on a 2-core machine: at least 1.7x faster.
set -u
. "$(dirname "$0")/bench-lib.sh"
COPIES=${BENCH_COPIES:-3}
DIR=$(mktemp -d "${TMPDIR:-/tmp}/fa-bench-par.XXXXXX")
trap 'rm -rf "$DIR"' EXIT
n=0
c=0
while [ $c -lt "$COPIES" ]; do
    mkdir -p "$DIR/set/c$c"
    while IFS='	' read -r file label _; do
        case $file in ''|\#*) continue ;; esac
        [ -f "$file" ] || continue
        cp "$file" "$DIR/set/c$c/$n-$(basename "$file")"
        n=$((n + 1))
    done < "$TOP/tests/eval/faces.tsv"
    c=$((c + 1))
done
[ $n -gt 0 ] || { echo "bench-parallel: no images (make deps installs them)"; exit 0; }
cat "$DIR"/set/*/* > /dev/null
timed "$DIR/j1.out" "$FA" scan -j 1 --quiet --format jsonl --rules "$TOP/rules/faces.yaml" "$DIR/set"
t1=$T; r1=$RSS
timed "$DIR/j2.out" "$FA" scan -j 2 --quiet --format jsonl --rules "$TOP/rules/faces.yaml" "$DIR/set"
t2=$T; r2=$RSS
cmp -s "$DIR/j1.out" "$DIR/j2.out" || echo "bench-parallel: -j 2 output differs from -j 1" >&2
speedup=$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.2f", a / b }')
rss=$(( r1 > r2 ? r1 : r2 ))
row "-j 2 vs -j 1 ($n images, $(nproc) cores)" "$t2" "-j 1" "$t1" "s" "$rss" ">= 1.7x faster" "$speedup"
