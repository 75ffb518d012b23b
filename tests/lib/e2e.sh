# Shared helpers for end-to-end tests (sourced; POSIX sh). Each test builds its own
# fixtures under $WORK, runs $FA, and asserts. A failed assertion exits 1 with a message.
set -u
: "${FA:?FA must point at the faceaudit binary}"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/fa-e2e.XXXXXX")
trap 'chmod -R u+rwx "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT
cd "$WORK" || exit 1

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "skip: $*" >&2; exit 77; }
# run CMD...: runs with stdout in $WORK/out, stderr in $WORK/err, status in $RC.
run() { "$@" >"$WORK/out" 2>"$WORK/err"; RC=$?; }
expect_rc() { [ "$RC" -eq "$1" ] || { echo "stdout:"; head -c 3000 "$WORK/out"; echo "stderr:"; head -c 3000 "$WORK/err"; fail "expected exit $1, got $RC"; }; }
expect_out() { grep -q -- "$1" "$WORK/out" || { head -c 3000 "$WORK/out"; fail "stdout lacks: $1"; }; }
expect_no_out() { ! grep -q -- "$1" "$WORK/out" || fail "stdout has: $1"; }
expect_err() { grep -q -- "$1" "$WORK/err" || { head -c 3000 "$WORK/err"; fail "stderr lacks: $1"; }; }
# jq-free JSON checks go through python3 when present, else node.
json_eval() { python3 - "$@"; }
# need_python_module MOD: sets PY to a python3 that can import MOD (Debian's /usr/bin/python3
# first: the python3-* packages install there), else skips the test.
need_python_module() {
    PY=""
    for p in /usr/bin/python3 python3; do
        if command -v "$p" >/dev/null 2>&1 && "$p" -c "import $1" 2>/dev/null; then PY=$p; return 0; fi
    done
    skip "python3 with $1 (python3-$1) not installed"
}
