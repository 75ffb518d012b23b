#!/bin/sh
# make valgrind: memcheck over every unit test binary and over the CLI on the samples (every
# output format, -j 1 and -j 2, --state, --debug, inventory, retention, dpia, merge). Any
# invalid read or write, use of uninitialised memory or definite leak fails the run.
# Third-party noise that is not faceaudit's is suppressed in tools/valgrind.supp (see there).
BUILD=${BUILD:-build}
FA="$BUILD/faceaudit"
TOP=$(pwd)
command -v valgrind >/dev/null || { echo "valgrind: not installed (make deps)" >&2; exit 2; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/fa-valgrind.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
VG="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
--show-leak-kinds=definite --suppressions=$TOP/tools/valgrind.supp --trace-children=yes"
pass=0; fail=0
check() {   # check NAME COMMAND...: the command under memcheck; exit 99 is a memcheck error
    name=$1; shift
    $VG "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"; rc=$?
    if [ $rc -eq 99 ] || grep -q '^==[0-9]*== ' "$WORK/$name.err"; then
        fail=$((fail + 1)); echo "FAIL $name"; grep '^==' "$WORK/$name.err" | head -40
    else
        pass=$((pass + 1)); echo "ok   $name (exit $rc)"
    fi
}
for t in "$BUILD"/tests/test_*; do
    case $t in *.d) continue ;; esac
    [ -x "$t" ] && check "$(basename "$t")" "$t"
done
R="--rules $TOP/rules"
for fmt in text json jsonl csv sarif; do
    check "scan-$fmt" "$FA" scan $R -j 2 --format "$fmt" -o "$WORK/s.$fmt" samples
done
check scan-j1-debug "$FA" scan $R -j 1 --debug --format json -o "$WORK/s1.json" samples
check scan-state-1 "$FA" scan $R --state "$WORK/st.db" --format json -o "$WORK/a.json" samples
check scan-state-2 "$FA" scan $R --state "$WORK/st.db" --format json -o "$WORK/b.json" samples
check scan-stdin sh -c "$VG $FA scan $R --format json - < samples/logs/egress-proxy.log"
check scan-shard "$FA" scan $R --shard 1/2 --format json -o "$WORK/p1.json" samples
check scan-shard2 "$FA" scan $R --shard 2/2 --format json -o "$WORK/p2.json" samples
check merge "$FA" merge "$WORK/m.json" "$WORK/p1.json" "$WORK/p2.json"
check inventory-json "$FA" inventory --format json -o "$WORK/inv.json" "$WORK/s.json"
check inventory-md "$FA" inventory --format md -o "$WORK/inv.md" "$WORK/s.json"
check inventory-svg "$FA" inventory --format svg -o "$WORK/inv.svg" "$WORK/s.json"
check retention "$FA" retention --policy samples/policy.yaml --format json -o "$WORK/ret.json" \
    --manifest "$WORK/overdue.txt" "$WORK/s.json"
check dpia-md "$FA" dpia --inventory "$WORK/inv.json" --retention "$WORK/ret.json" -o "$WORK/d.md"
check dpia-html "$FA" dpia --inventory "$WORK/inv.json" --retention "$WORK/ret.json" --format html -o "$WORK/d.html"
check rules-test "$FA" rules test $R
echo "valgrind: $pass clean, $fail with errors"
[ $fail -eq 0 ]
