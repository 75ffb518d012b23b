# End-to-end: incremental state — an unchanged second run reads no object bytes, touched files
# and changed rules rescan, --new-only, --since, the lock, and an interrupted run resumes.
. "$TOP/tests/lib/e2e.sh"
command -v flock >/dev/null || skip "flock (util-linux) missing"
cat > pack.yaml <<'YAML'
id: st
version: 1.0.0
description: rules for the state tests
rules:
  - id: st.call
    kind: regex
    category: vendor_endpoint
    severity: medium
    description: a made-up face API call
    keywords: [facecheck]
    pattern: 'https?://api\.facecheck\.example/v1/match'
    examples:
      match: ["https://api.facecheck.example/v1/match", "http://api.facecheck.example/v1/match"]
      no_match: ["https://api.facecheck.example/v2/match", "facecheck"]
YAML
mkdir -p tree/a tree/b
i=0
while [ $i -lt 40 ]; do
    printf 'x\nPOST https://api.facecheck.example/v1/match n=%d\n' $i > tree/a/f$i.log
    printf 'nothing %d\n' $i > tree/b/g$i.txt
    i=$((i + 1))
done
(cd tree && zip -qr ../tree/a/bundle.zip b) 
total=$(find tree -type f -printf '%s\n' | awk '{s+=$1} END {print s}')

run "$FA" scan --rules pack.yaml --state st.db --format json -o a.json tree
expect_rc 1
[ "$(stat -c %a st.db)" = 600 ] || fail "state file mode $(stat -c %a st.db)"
jq -e --argjson t "$total" '.stats.read_bytes == $t and .stats.carried_over == 0' a.json >/dev/null || fail "first run stats: $(jq -c .stats a.json)"

# second run: nothing read, same results
run "$FA" scan --rules pack.yaml --state st.db --format json -o b.json tree
expect_rc 1
jq -e '.stats.read_bytes == 0 and .stats.carried_over == 81' b.json >/dev/null || fail "second run read bytes: $(jq -c .stats b.json)"
expect_err 'carried over'
norm() { jq -S '{objects: (.objects|sort_by(.location.path,.location.members)), findings: (.findings|sort_by(.location.path,.location.members,.location.line))}' "$1"; }
norm a.json > a.norm; norm b.json > b.norm
cmp -s a.norm b.norm || { diff a.norm b.norm | head; fail "carried-over results differ"; }

# a touched file is rescanned, and only it
sleep 1; printf 'x\nPOST https://api.facecheck.example/v1/match touched\nPOST https://api.facecheck.example/v1/match again\n' > tree/a/f3.log
run "$FA" scan --rules pack.yaml --state st.db --format json -o c.json tree
size3=$(stat -c %s tree/a/f3.log)
jq -e --argjson s "$size3" '.stats.read_bytes == $s and .stats.carried_over == 80 and .stats.findings == 41' c.json >/dev/null || fail "touched file: $(jq -c .stats c.json)"

# --new-only: only what the previous run did not report
printf 'POST https://api.facecheck.example/v1/match brand-new\n' > tree/b/new.log
run "$FA" scan --rules pack.yaml --state st.db --new-only --format jsonl tree
expect_rc 1
[ "$(wc -l < out)" -eq 1 ] && jq -e '.location.path == "tree/b/new.log"' out >/dev/null || fail "--new-only: $(cat out)"
run "$FA" scan --rules pack.yaml --state st.db --new-only --format jsonl tree
expect_rc 0
[ ! -s out ] || fail "--new-only reported old findings: $(cat out)"
run "$FA" scan --rules pack.yaml --new-only tree; expect_rc 2; expect_err 'needs --state'

# changed rules rescan everything
sed 's/severity: medium/severity: high/' pack.yaml > pack2.yaml
run "$FA" scan --rules pack2.yaml --state st.db --format json -o d.json tree
jq -e '.stats.carried_over == 0 and .stats.read_bytes > 0 and (.findings[0].severity == "high")' d.json >/dev/null || fail "changed rules: $(jq -c .stats d.json)"

# --since: only objects modified on or after the date
touch -d 2020-01-01 tree/b/g1.txt tree/a/f1.log
run "$FA" scan --rules pack.yaml --since 2021-06-01 --format json tree
jq -e '[.objects[].location.path] | (index("tree/a/f1.log") == null) and (index("tree/b/g1.txt") == null) and (index("tree/a/f2.log") != null)' out >/dev/null || fail "--since"
run "$FA" scan --rules pack.yaml --since yesterday tree; expect_rc 2; expect_err 'not a date'
# full RFC 3339: offsets count (12:00Z is after 13:00+02:00 = 11:00Z, before 11:00-02:00 =
# 13:00Z), fractions are accepted and the cut stays inclusive at whole seconds
touch -d '2021-06-01 12:00:00 UTC' tree/a/f5.log
since_has_f5() {
    run "$FA" scan --rules pack.yaml --since "$1" --format json tree
    [ "$RC" -le 1 ] || { cat err; fail "--since $1: exit $RC"; }
    jq -e '[.objects[].location.path] | index("tree/a/f5.log") != null' out >/dev/null
}
since_has_f5 2021-06-01T13:00:00+02:00 || fail "--since with +02:00 offset excludes a later file"
! since_has_f5 2021-06-01T11:00:00-02:00 || fail "--since with -02:00 offset includes an earlier file"
since_has_f5 2021-06-01T12:00:00.5Z || fail "--since with a fraction excludes the same second"
! since_has_f5 2021-06-01T12:00:01.25Z || fail "--since 12:00:01.25Z includes a file of 12:00:00"
since_has_f5 2021-06-01t12:00:00z || fail "--since in lower case"
run "$FA" scan --rules pack.yaml --since 2021-06-01T25:00:00Z tree; expect_rc 2; expect_err 'not a date'
run "$FA" scan --rules pack.yaml --since 2021-06-01T12:00:00+0x tree; expect_rc 2; expect_err 'not a date'

# the lock: a second run waits, then gives up with exit 2
flock st.db sleep 4 &
holder=$!
i=0   # until the holder has the lock (not a fixed sleep: a loaded machine starts it late)
while flock -n st.db true && [ $i -lt 100 ]; do sleep 0.02; i=$((i+1)); done
run "$FA" scan --rules pack.yaml --state st.db --lock-timeout 1 tree
expect_rc 2
expect_err 'in use by another faceaudit run'
run "$FA" scan --rules pack.yaml --state st.db --lock-timeout 20 --format json tree
expect_rc 1
wait $holder

# an interrupted run (SIGKILL) leaves a consistent file; the next run resumes where it stopped
python3 - <<'PY'
import os
os.makedirs("big", exist_ok=True)
for i in range(20000):
    with open(f"big/f{i:05d}.log", "w") as f:
        f.write(f"line {i}\nPOST https://api.facecheck.example/v1/match\n")
PY
# signal_when_scanning SIG DB: runs `faceaudit scan` on big/ with state file DB and sends SIG
# as soon as its first batch is committed (polling the file), not after a fixed sleep: a fast
# machine would finish first, a loaded one would not have its handlers yet. Prints the exit
# status (negative: killed by that signal); the scan's stderr goes to DB.err.
signal_when_scanning() {
    python3 - "$FA" "$1" "$2" <<'PY'
import signal, sqlite3, subprocess, sys, time
fa, sig, db = sys.argv[1], getattr(signal, sys.argv[2]), sys.argv[3]
p = subprocess.Popen([fa, "scan", "--rules", "pack.yaml", "--state", db, "-j", "1", "--format", "json",
                      "-o", "/dev/null", "big"], stderr=open(db + ".err", "w"))
deadline = time.time() + 60
while p.poll() is None and time.time() < deadline:
    try:
        n = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.1).execute("SELECT count(*) FROM objects").fetchone()[0]
    except sqlite3.Error:
        n = 0
    if n > 0:
        p.send_signal(sig)
        break
    time.sleep(0.005)
print(p.wait())
PY
}
# The run must have died by the kill: an early exit of its own would make the rest meaningless.
krc=$(signal_when_scanning SIGKILL big.db)
[ "$krc" = -9 ] || fail "the run to interrupt exited $krc before the kill: $(cat big.db.err)"
run "$FA" scan --rules pack.yaml --state big.db --format json -o r1.json big
expect_rc 1
jq -e '.stats.findings == 20000 and .stats.objects == 20000' r1.json >/dev/null || fail "resumed run results: $(jq -c .stats r1.json)"
jq -e '.stats.carried_over > 0 and .stats.carried_over < 20000' r1.json >/dev/null || fail "the killed run was not resumed partially: $(jq -c .stats r1.json)"
run "$FA" scan --rules pack.yaml --state big.db --format json -o r2.json big
jq -e '.stats.read_bytes == 0 and .stats.findings == 20000' r2.json >/dev/null || fail "after resume: $(jq -c .stats r2.json)"
# Two real runs on one state file: the second gives up after --lock-timeout while the first
# holds it, or waits for it and then carries everything over.
"$FA" scan --rules pack.yaml --state two.db -j 1 --format json -o two1.json --quiet big &
first=$!
i=0   # until the first run holds the lock
while flock -n two.db true 2>/dev/null && [ $i -lt 500 ]; do sleep 0.01; i=$((i+1)); done
run "$FA" scan --rules pack.yaml --state two.db --lock-timeout 0.2 --format json big
expect_rc 2
expect_err 'in use by another faceaudit run'
run "$FA" scan --rules pack.yaml --state two.db --lock-timeout 120 --format json big
expect_rc 1
wait $first || [ $? -eq 1 ] || fail "the first of two runs failed"
jq -e '.stats.carried_over == 20000 and .stats.read_bytes == 0' out >/dev/null ||
    fail "the waiting run did not carry over the first run's work: $(jq -c .stats out)"
# SIGTERM: a graceful stop is reported as incomplete (exit 2) and keeps what finished
trc=$(signal_when_scanning SIGTERM term.db)
if [ "$trc" -ne 1 ]; then   # 1 = it finished before the signal arrived
    [ "$trc" -eq 2 ] || fail "SIGTERM exit $trc"
    grep -q interrupted term.db.err || fail "no 'interrupted' message"
fi
run "$FA" scan --rules pack.yaml --state term.db --format json -o t.json big
jq -e '.stats.findings == 20000' t.json >/dev/null || fail "after SIGTERM: $(jq -c .stats t.json)"
echo "state: all assertions passed"
