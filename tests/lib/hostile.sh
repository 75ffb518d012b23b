# Helpers for tests/e2e/hostile_*.sh (sourced after tests/lib/e2e.sh). Fixtures come from
# tests/lib/hostile.py; scans run under /usr/bin/time so peak RSS and wall time are checked.
HOSTILE_PY="$TOP/tests/lib/hostile.py"
command -v python3 >/dev/null 2>&1 || skip "python3 needed for the hostile fixtures"
command -v jq >/dev/null 2>&1 || skip "jq needed"
[ -x /usr/bin/time ] || skip "/usr/bin/time needed (Debian package time)"

# Peak RSS allowed, in KiB: 300 MiB, more under sanitizers (shadow memory, quarantine).
RSS_MAX=$((300 * 1024))
if ldd "$FA" 2>/dev/null | grep -q -E 'lib(asan|ubsan|tsan)'; then RSS_MAX=$((RSS_MAX * 4)); fi

hostile() { python3 "$HOSTILE_PY" "$@" || fail "fixture: hostile.py $*"; }

# A small pack: the hostile tests are about the pipeline, not the shipped rules.
cat >"$WORK/mini.yaml" <<'PACK'
id: hostile
version: "1"
description: a small pack for the hostile-input tests
rules:
  - id: hostile.vendor
    kind: regex
    category: vendor_endpoint
    severity: high
    description: a face API endpoint
    pattern: 'api\.faceprobe\.example/v1/detect'
    examples:
      match: ["POST https://api.faceprobe.example/v1/detect"]
      no_match: ["hello"]
PACK

# measured NAME CMD...: runs CMD with stdout in $WORK/NAME.out, stderr in $WORK/NAME.err,
# sets RC, SECS (wall seconds, integer, rounded up) and RSS (KiB).
measured() {
    _n=$1; shift
    /usr/bin/time -f '%e %M' -o "$WORK/$_n.time" "$@" >"$WORK/$_n.out" 2>"$WORK/$_n.err"
    RC=$?
    tail -n 1 "$WORK/$_n.time" >"$WORK/$_n.time1"
    read -r _e RSS <"$WORK/$_n.time1" || fail "$_n: no timing (killed?): $(tail -3 "$WORK/$_n.time")"
    case $_e in *[!0-9.]*|'') fail "$_n: bad timing line: $(cat "$WORK/$_n.time")" ;; esac
    SECS=$(( ${_e%.*} + 1 ))
    echo "$_n: ${_e}s ${RSS} KiB rc=$RC" >&2
}

# bounded NAME MAXSECS: the last measured run stayed under MAXSECS and RSS_MAX.
bounded() {
    [ "$RSS" -le "$RSS_MAX" ] || fail "$1: peak RSS $RSS KiB > $RSS_MAX KiB"
    [ "$SECS" -le "$2" ] || fail "$1: took ${SECS}s > $2s"
}

# has_limit FILE LIMIT...: the scan document FILE records one of the named limits.
has_limit() {
    _f=$1; shift
    for _l in "$@"; do
        jq -e --arg l "$_l" '[.limits[].limit] | index($l) != null' "$_f" >/dev/null 2>&1 && return 0
    done
    echo "limits: $(jq -c '[.limits[].limit]' "$_f" 2>&1)"
    fail "$_f records none of: $*"
}
