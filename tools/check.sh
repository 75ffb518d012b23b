#!/bin/sh
# make check: unit tests, then end-to-end tests; the last line is the plain summary.
BUILD=${BUILD:-build}
unit_out=$(tools/run-unit.sh "$BUILD" "$@"); unit_rc=$?
echo "$unit_out"
e2e_out=$(BUILD=$BUILD tests/run-e2e.sh); e2e_rc=$?
echo "$e2e_out"
u=$(echo "$unit_out" | sed -n 's/^unit: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p')
e=$(echo "$e2e_out" | sed -n 's/^e2e: \([0-9]*\) passed, \([0-9]*\) failed.*$/\1 \2/p')
set -- $u $e
echo "check: $(( ${1:-0} + ${3:-0} )) passed, $(( ${2:-0} + ${4:-0} )) failed"
[ $unit_rc -eq 0 ] && [ $e2e_rc -eq 0 ]
