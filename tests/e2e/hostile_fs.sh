#!/bin/sh
# Hostile filesystems: symlink loops, FIFOs and devices (skipped, never opened: a FIFO
# without a writer must not hang the scan), unreadable files and folders (scanned as an
# unprivileged user), a file that shrinks while it is scanned, and names with newlines and
# invalid UTF-8 (escaped in text, valid in JSON).
. "$TOP/tests/lib/e2e.sh"
. "$TOP/tests/lib/hostile.sh"
RULES="$WORK/mini.yaml"
HIT='POST https://api.faceprobe.example/v1/detect'

mkdir -p t/sub t/loop
echo "$HIT" >t/sub/a.log
ln -s .. t/loop/up              # loop back to t/
ln -s self t/self               # a link to itself
ln -s ../t t/sub/again
mkfifo t/fifo                   # no writer: opening it for reading would block forever
mknod t/null c 1 3 2>/dev/null || true
mknod t/zero c 1 5 2>/dev/null || true

# 1. loops and special files, with and without --follow-symlinks: bounded, no hang
for follow in "" --follow-symlinks; do
    measured fs timeout 60 "$FA" scan --rules "$RULES" -q --format json $follow t
    [ "$RC" -ne 124 ] || fail "scan $follow hung (FIFO or symlink loop)"
    bounded "fs $follow" 30
    [ "$RC" -le 1 ] || fail "scan $follow: exit $RC: $(cat fs.err)"
    jq -e '[.findings[] | select(.rule_id == "hostile.vendor")] | length == 1' fs.out >/dev/null ||
        fail "scan $follow: expected the one finding once: $(jq -c '[.findings[].location.path]' fs.out)"
    jq -e '[.objects[].location.path] | map(select(test("fifo|null|zero"))) | length == 0' fs.out >/dev/null ||
        fail "scan $follow: a FIFO or device was scanned: $(jq -c '[.objects[].location.path]' fs.out)"
done
# followed, the link to itself and the two-link chain are loops, each said once
ln -s loop2 t/loop1; ln -s loop1 t/loop2
measured fs timeout 60 "$FA" scan --rules "$RULES" -q --format json --follow-symlinks t
jq -e '[.errors[] | select(.code == "symlink_loop") | .location.path] as $l | ($l | index("t/self")) != null and ($l | index("t/loop1")) != null and ($l | index("t/loop2")) != null' fs.out >/dev/null ||
    fail "symlink loops not reported: $(jq -c '.errors' fs.out)"
rm t/loop1 t/loop2
# a FIFO named directly as a target is refused, not read
measured fifo timeout 20 "$FA" scan --rules "$RULES" -q --format json t/fifo
[ "$RC" -ne 124 ] || fail "scanning a FIFO target hung"

# 2. unreadable files and folders, scanned as nobody (root reads everything)
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
    mkdir -p u/open u/closed
    echo "$HIT" >u/open/a.log
    echo "$HIT" >u/closed/b.log
    echo "$HIT" >u/secret.log
    chmod 000 u/closed u/secret.log
    chmod 755 "$WORK" u u/open; chmod 644 u/open/a.log "$WORK/mini.yaml"
    measured unpriv setpriv --reuid=65534 --regid=65534 --clear-groups \
        "$FA" scan --rules "$WORK/mini.yaml" -q --format json u
    bounded unpriv 30
    [ "$RC" -le 1 ] || fail "unprivileged scan: exit $RC: $(cat unpriv.err)"
    jq -e '[.findings[].location.path] == ["u/open/a.log"]' unpriv.out >/dev/null ||
        fail "unprivileged scan findings: $(jq -c '[.findings[].location.path]' unpriv.out)"
    jq -e '[.errors[].location.path] | (index("u/closed") != null or (map(test("closed")) | any)) and (map(test("secret")) | any)' \
        unpriv.out >/dev/null || fail "unreadable entries not reported as errors: $(jq -c '.errors' unpriv.out)"
    jq -e '.scan.complete == false' unpriv.out >/dev/null || fail "unprivileged scan claims complete"
    chmod 755 u/closed; chmod 644 u/secret.log
else
    echo "note: not root or no setpriv: unreadable-file checks skipped" >&2
fi

# 3. a file that shrinks while it is read: truncated from the background during the scan
python3 -c "import sys; sys.stdout.write('padding line for the shrink test\n' * 3000000)" >big.log
echo "$HIT" >>big.log
( sleep 0.2; : >big.log ) &
measured shrink "$FA" scan --rules "$RULES" -q -j 1 --format json big.log
wait
bounded shrink 60
[ "$RC" -le 1 ] || fail "shrinking file: exit $RC: $(cat shrink.err)"
jq -e '.objects | length == 1' shrink.out >/dev/null || fail "shrinking file: invalid output: $(head -c 300 shrink.out)"
# a file that vanishes between listing and reading: a folder of many files, deleted meanwhile
mkdir v; i=0; while [ $i -lt 300 ]; do echo "$HIT" >v/f$i.log; i=$((i+1)); done
( sleep 0.05; rm -rf v ) &
measured vanish "$FA" scan --rules "$RULES" -q -j 1 --format json v
wait
[ "$RC" -le 2 ] || fail "vanishing files: exit $RC"
[ "$RC" -eq 2 ] || jq -e . vanish.out >/dev/null || fail "vanishing files: invalid JSON"

# 4. names with a newline, an escape and invalid UTF-8
mkdir n
printf '%s\n' "$HIT" >"n/$(printf 'new\nline.log')"
printf '%s\n' "$HIT" >"n/$(printf 'bad\377\376name.log')"
printf '%s\n' "$HIT" >"n/$(printf 'esc\033[31mred.log')"
run "$FA" scan --rules "$RULES" -q --format json n
[ "$RC" -eq 1 ] || fail "names: exit $RC: $(cat err)"
jq -e '.findings | length == 3' out >/dev/null || fail "names: JSON invalid or findings missing: $(head -c 400 out)"
python3 -c "import sys; sys.stdin.buffer.read().decode('utf-8')" <out || fail "names: JSON output is not valid UTF-8"
run "$FA" scan --rules "$RULES" -q --format text --color never n
[ "$RC" -eq 1 ] || fail "names text: exit $RC"
python3 - "$WORK/out" <<'PY' || fail "names: raw newline, ESC or invalid UTF-8 in text output"
import sys
data = open(sys.argv[1], "rb").read()
data.decode("utf-8")                       # raises on invalid UTF-8
assert b"\x1b" not in data, "raw ESC"
for line in data.split(b"\n"):
    assert not line.startswith(b"line.log"), "the name's newline was printed raw"
PY
run "$FA" scan --rules "$RULES" -q --format jsonl n
python3 -c "
import json,sys
n = 0
for l in open('$WORK/out','rb'):
    json.loads(l); n += 1
assert n == 3, n" || fail "names: jsonl lines invalid"
run "$FA" scan --rules "$RULES" -q --format csv n
python3 -c "
import csv,sys
# CSV keeps names as bytes (quoted, so a newline cannot forge a row)
rows = list(csv.reader(open('$WORK/out', encoding='latin-1', newline='')))
assert len(rows) == 4, rows" || fail "names: csv rows invalid"

# 5. a tree 300 folders deep under a 128-descriptor limit: the walk holds a descriptor per
# level only up to a fixed depth, then goes on by path; the file at the bottom is scanned
python3 - <<'PY'
import os
p = "deep"
for i in range(300):
    p = os.path.join(p, "d")
os.makedirs(p)
open(os.path.join(p, "bottom.log"), "w").write("POST https://api.faceprobe.example/v1/detect\n")
open("deep/top.log", "w").write("POST https://api.faceprobe.example/v1/detect\n")
PY
( ulimit -n 128 && "$FA" scan --rules "$RULES" -q --format json deep >deep.out 2>deep.err ); RC=$?
[ "$RC" -eq 1 ] || fail "deep tree: exit $RC: $(head -c 300 deep.err)"
jq -e '(.findings | length == 2) and (.errors | length == 0)' deep.out >/dev/null ||
    fail "deep tree: $(jq -c '{f: [.findings[].location.path | length], e: .errors}' deep.out | head -c 400)"
echo "ok: hostile filesystem"
