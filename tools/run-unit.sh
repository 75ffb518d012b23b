#!/bin/sh
# Runs every Criterion unit-test binary; prints one summary line per binary.
BUILD=$1; shift
pass=0; fail=0
for t in "$@"; do
    if "$t" --jobs 2 >"$t.log" 2>&1; then pass=$((pass+1)); st=ok; else fail=$((fail+1)); st=FAIL; fi
    printf '%-4s %s: %s\n' "$st" "$(basename "$t")" "$(grep -a 'Synthesis' "$t.log" | tail -1 | sed 's/^\[[^]]*\] *//')"
    [ "$st" = FAIL ] && sed 's/^/    /' "$t.log" | grep -av 'Synthesis' | tail -40
done
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
