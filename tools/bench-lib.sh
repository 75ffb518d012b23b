# Shared by tools/bench-*.sh (sourced). Every benchmark runs faceaudit and a named baseline
# tool on the same input in the same script run, then appends one row to the table that
# tools/bench.sh prints at the end.
BUILD=${BUILD:-build}
FA=${FA:-$BUILD/faceaudit}
TOP=${TOP:-$(pwd)}
BENCH_TABLE=${BENCH_TABLE:-/dev/null}
now() { date +%s.%N; }
# timed OUTFILE CMD...: runs CMD, stdout to OUTFILE; sets T (seconds) and RSS (peak KiB).
timed() {
    _out=$1; shift
    _rss=$(mktemp)
    _t0=$(now)
    /usr/bin/time -f '%M' -o "$_rss" "$@" >"$_out" 2>/dev/null
    _t1=$(now)
    T=$(awk -v a="$_t0" -v b="$_t1" 'BEGIN { printf "%.3f", b - a }')
    RSS=$(tail -1 "$_rss")
    rm -f "$_rss"
}
# row NAME FA_VALUE BASELINE_NAME BASELINE_VALUE UNIT RSS_KIB GOAL [RATIO]: one table row.
# The ratio is faceaudit/baseline unless given (for "times faster" measures).
row() {
    _ratio=${8:-$(awk -v a="$2" -v b="$4" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')}
    printf '| %s | %s %s | %s: %s %s | %sx | %.0f MiB | %s |\n' "$1" "$2" "$5" "$3" "$4" "$5" "$_ratio" \
        "$(awk -v k="$6" 'BEGIN { print k / 1024 }')" "$7" >> "$BENCH_TABLE"
    printf '%s: faceaudit %s %s, %s %s %s, ratio %sx, peak RSS %.0f MiB (goal: %s)\n' "$1" "$2" "$5" "$3" "$4" "$5" \
        "$_ratio" "$(awk -v k="$6" 'BEGIN { print k / 1024 }')" "$7"
}
