#!/bin/sh
# make demo: scans samples/ with the shipped rule packs, prints the findings, and writes the
# reports into demo-out/ (mode 0600 files).
set -u
BUILD=${BUILD:-build}
FA="$BUILD/faceaudit"
OUT=demo-out
mkdir -p "$OUT"
echo "== faceaudit scan samples/ (findings below; diagnostics on stderr)"
"$FA" scan --format text samples
"$FA" scan --quiet --format json -o "$OUT/scan.json" samples
"$FA" scan --quiet --format jsonl -o "$OUT/findings.jsonl" samples
echo "== wrote $OUT/scan.json and $OUT/findings.jsonl"
# Reports built from the scan document (they never rescan).
for step in tools/demo-*.sh; do
    [ -e "$step" ] || continue
    BUILD=$BUILD OUT=$OUT sh "$step" || echo "demo: $step failed" >&2
done
ls -l "$OUT"
exit 0
