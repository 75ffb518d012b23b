#!/bin/sh
# make demo: scans samples/ with the shipped rule packs, prints the findings, then writes the
# compliance documents built from the scan document into demo-out/ (every file mode 0600).
set -u
BUILD=${BUILD:-build}
FA="$BUILD/faceaudit"
OUT=demo-out
export FACEAUDIT_RULES="$PWD/rules" FACEAUDIT_TEMPLATES="$PWD/templates"
OUT=${DEMO_OUT:-$OUT}
mkdir -p "$OUT"
failed=""
step() { # step NAME COMMAND...: run a step; exit 1 (findings/overdue) is a result, not a failure
    name=$1; shift
    "$@"; rc=$?
    [ $rc -le 1 ] && return 0
    echo "demo: $name failed (exit $rc)" >&2
    failed="$failed $name"
    return 1
}
echo "== faceaudit scan samples/  (findings; the summary goes to stderr)"
step scan-text      "$FA" scan --format text samples
step scan-json      "$FA" scan --quiet --format json -o "$OUT/scan.json" samples
step scan-sarif     "$FA" scan --quiet --format sarif -o "$OUT/scan.sarif" samples
step inventory-md   "$FA" inventory --format md   -o "$OUT/inventory.md"  "$OUT/scan.json"
step inventory-svg  "$FA" inventory --format svg  -o "$OUT/inventory.svg" "$OUT/scan.json"
step inventory-json "$FA" inventory --format json -o "$OUT/inventory.json" "$OUT/scan.json"
step retention      "$FA" retention --policy samples/policy.yaml --format md -o "$OUT/retention.md" \
                        --manifest "$OUT/overdue.txt" "$OUT/scan.json"
step retention-json "$FA" retention --policy samples/policy.yaml --format json -o "$OUT/retention.json" "$OUT/scan.json"
step dpia-md        "$FA" dpia --inventory "$OUT/inventory.json" --retention "$OUT/retention.json" \
                        --template gdpr-dpia -o "$OUT/dpia.md"
step dpia-html      "$FA" dpia --inventory "$OUT/inventory.json" --retention "$OUT/retention.json" \
                        --template gdpr-dpia --format html -o "$OUT/dpia.html"
step cnil           "$FA" dpia --inventory "$OUT/inventory.json" --retention "$OUT/retention.json" \
                        --template cnil-pia -o "$OUT/cnil-pia.json"
step bipa           "$FA" dpia --inventory "$OUT/inventory.json" --retention "$OUT/retention.json" \
                        --template bipa-retention-policy -o "$OUT/bipa-retention-policy.md"
echo
echo "== reports in $OUT/"
ls -l "$OUT"
if [ -n "$failed" ]; then
    echo "demo: FAILED:$failed" >&2
    exit 1
fi
exit 0
