#!/bin/sh
# Runs every tests/e2e/*.sh against $BUILD/faceaudit. A test exits 0 (pass), 77 (skip:
# a prerequisite this machine lacks, said on stderr) or anything else (fail).
# E2E="s3 state" runs only the named tests (while working on one area).
BUILD=${BUILD:-build}
export FA="$(cd "$BUILD" && pwd)/faceaudit" TOP="$(pwd)"
pass=0; fail=0; skip=0; failed=""
for t in tests/e2e/*.sh; do
    [ -e "$t" ] || continue
    name=$(basename "$t" .sh)
    if [ -n "${E2E:-}" ]; then
        case " $E2E " in *" $name "*) ;; *) continue ;; esac
    fi
    log="$BUILD/e2e-$name.log"
    timeout 300 sh "$t" >"$log" 2>&1; rc=$?
    case $rc in
        0) pass=$((pass+1)); echo "ok   $name" ;;
        77) skip=$((skip+1)); echo "skip $name: $(tail -1 "$log")" ;;
        *) fail=$((fail+1)); failed="$failed $name"; echo "FAIL $name (exit $rc)"; tail -30 "$log" | sed 's/^/    /' ;;
    esac
done
echo "e2e: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
