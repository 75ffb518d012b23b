#!/bin/sh
# bench-logs: faceaudit's regex rules against ripgrep on JSON-lines logs, one core each.
# Generates BENCH_LOG_MB (default 1024) MiB of logs with sparse face-API calls (about one
# line in 10,000) under a temp dir (deleted afterwards), warms the page cache, then times
#   faceaudit scan --format jsonl --rules rules/vendors.yaml FILE
#   rg -c -f patterns.txt FILE            (the pack's `pattern:` fields, (?i) where caseless)
# both under `taskset -c 0`, best of BENCH_RUNS (default 3). Prints MB/s (MiB per second),
# the ratio (goal: faceaudit >= 0.5x rg) and faceaudit's peak RSS, and checks that both
# tools find the same number of matching lines. Also times rg -i -F on the keywords alone
# as a reference. Wall times include process start-up (faceaudit loads its shared libraries).
set -u
BUILD=${BUILD:-build}
FA=${FA:-$BUILD/faceaudit}
PACK=${BENCH_PACK:-rules/vendors.yaml}
MB=${BENCH_LOG_MB:-1024}
RUNS=${BENCH_RUNS:-3}
for t in rg jq python3 /usr/bin/time taskset cc; do
    command -v "$t" >/dev/null 2>&1 || { echo "bench-logs: $t is missing (make deps)" >&2; exit 1; }
done
[ -x "$FA" ] || { echo "bench-logs: $FA not built" >&2; exit 1; }
TMP=$(mktemp -d /tmp/fa-bench-logs.XXXXXX) || exit 1
trap 'rm -rf "$TMP"' EXIT INT TERM
LOG=$TMP/app.jsonl

cc -O2 -o "$TMP/loggen" tools/bench-loggen.c || exit 1
"$TMP/loggen" $((MB * 1048576)) >"$LOG" || exit 1
BYTES=$(wc -c <"$LOG")

# The pack's patterns for rg -f (see tools/bench-patterns.py): rg's default engine gets
# them without lookaround and \K (a superset of each); rg -P (PCRE2) gets them whole, used
# only if the default engine rejects a pattern.
python3 tools/bench-patterns.py "$PACK" "$TMP" || exit 1
NPAT=$(wc -l <"$TMP/patterns.txt")
RG_ENGINE="" RG_PATS=$TMP/patterns.txt
rg -c -f "$RG_PATS" /dev/null >/dev/null 2>&1
if [ $? -eq 2 ]; then   # 2: a pattern the default engine still rejects
    RG_ENGINE="-P" RG_PATS=$TMP/patterns-pcre2.txt
fi

cat "$LOG" >/dev/null   # warm the page cache
now() { date +%s.%N; }

# best_of CMD...: runs CMD RUNS times (stdout to $TMP/out); best wall time in $BEST,
# peak RSS (KiB) of that run in $RSS.
best_of() {
    BEST=""; RSS=0
    i=0
    while [ $i -lt "$RUNS" ]; do
        t0=$(now)
        /usr/bin/time -f %M -o "$TMP/rss" "$@" >"$TMP/out" 2>"$TMP/err"
        rc=$?
        t1=$(now)
        if [ $rc -gt 1 ]; then
            echo "bench-logs: '$*' failed (exit $rc):" >&2
            head -5 "$TMP/err" >&2
            return 1
        fi
        el=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.4f", b-a}')
        if [ -z "$BEST" ] || awk -v a="$el" -v b="$BEST" 'BEGIN{exit !(a<b)}'; then
            BEST=$el
            RSS=$(tail -1 "$TMP/rss")
            cp "$TMP/out" "$TMP/best.out"
        fi
        i=$((i + 1))
    done
}

best_of taskset -c 0 "$FA" scan --format jsonl --rules "$PACK" "$LOG" || exit 1
FA_T=$BEST; FA_RSS=$RSS
FA_LINES=$(jq -r '.location.line' "$TMP/best.out" | sort -un | wc -l)
FA_FIND=$(wc -l <"$TMP/best.out")

# shellcheck disable=SC2086
best_of taskset -c 0 rg $RG_ENGINE -c -f "$RG_PATS" "$LOG" || exit 1
RG_T=$BEST
RG_LINES=$(cat "$TMP/best.out")
RG_LINES=${RG_LINES:-0}
# For reference only: rg looking for the keywords alone (no regex), a floor for any tool.
KW_T=0
if [ -s "$TMP/keywords.txt" ]; then
    best_of taskset -c 0 rg -c -i -F -f "$TMP/keywords.txt" "$LOG" || exit 1
    KW_T=$BEST
fi

awk -v b="$BYTES" -v ft="$FA_T" -v rt="$RG_T" -v rss="$FA_RSS" -v n="$NPAT" -v eng="${RG_ENGINE:-default}" \
    -v fl="$FA_LINES" -v ff="$FA_FIND" -v rl="$RG_LINES" -v kt="$KW_T" 'BEGIN {
    mb = b / 1048576; fs = mb / ft; rs = mb / rt
    printf "input: %.0f MiB JSON lines, %d patterns (rg engine: %s), 1 core, best of runs\n", mb, n, eng
    printf "faceaudit: %.3f s  %8.1f MiB/s  peak RSS %.1f MiB  (%d findings on %d lines)\n", ft, fs, rss / 1024, ff, fl
    printf "rg:        %.3f s  %8.1f MiB/s  (%d matching lines)\n", rt, rs, rl
    if (kt > 0) printf "(reference: rg -i -F on the keywords only: %.3f s, %.1f MiB/s)\n", kt, mb / kt
    printf "ratio faceaudit/rg: %.2fx (goal >= 0.50x)\n", fs / rs
}'
if [ "$FA_LINES" -ne "$RG_LINES" ]; then
    echo "bench-logs: MISMATCH: faceaudit found $FA_LINES matching lines, rg $RG_LINES" >&2
    exit 1
fi
echo "matching lines agree: $FA_LINES"
. "$(dirname "$0")/bench-lib.sh"
row "vendor calls in $((BYTES >> 20)) MiB of JSON-lines logs (1 core, $FA_LINES matching lines)" \
    "$(awk -v b="$BYTES" -v t="$FA_T" 'BEGIN { printf "%.0f", b / 1048576 / t }')" "rg -f patterns" \
    "$(awk -v b="$BYTES" -v t="$RG_T" 'BEGIN { printf "%.0f", b / 1048576 / t }')" "MiB/s" "$FA_RSS" \
    ">= 0.5x rg, RSS < 200 MiB" > /dev/null
