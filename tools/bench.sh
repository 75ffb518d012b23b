#!/bin/sh
# make bench: runs every benchmark (tools/bench-*.sh). Each runs faceaudit and a named
# baseline tool on the same generated input in the same run, prints its figures, and adds a
# row to the table printed at the end (ratio = faceaudit / baseline, peak RSS of faceaudit).
rc=0
BENCH_TABLE=$(mktemp)
export BENCH_TABLE BUILD="${BUILD:-build}" TOP="$(pwd)"
trap 'rm -f "$BENCH_TABLE"' EXIT
machine="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(free -g | awk '/Mem:/{print $2}') GiB"
echo "machine: $machine"
for b in tools/bench-*.sh; do
    case $b in */bench-lib.sh) continue ;; esac
    [ -e "$b" ] || continue
    echo "== $(basename "$b" .sh)"
    sh "$b" || rc=1
done
echo
echo "faceaudit $(cat VERSION) on $machine, $(date -u +%Y-%m-%d)"
echo
echo "| benchmark | faceaudit | baseline | ratio | peak RSS | goal |"
echo "|---|---|---|---|---|---|"
cat "$BENCH_TABLE"
exit $rc
