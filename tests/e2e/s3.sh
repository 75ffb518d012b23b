#!/bin/sh
# scan s3://bucket against a real S3 server (s3rver 3.7.1 from tests/node_modules) on
# 127.0.0.1: findings equal a scan of the same files on disk; v1 paging across pages; bucket
# posture; GLACIER objects skipped; --max-object-size; credentials from a profile; wrong keys,
# a missing bucket and no network exit 2 naming the cause; an object deleted between listing
# and GET is an errors entry; 503 SlowDown answers are retried; a stalled server is an error,
# not a hang; --debug traces never show secrets. Faults come from tests/lib/s3_fault_proxy.py.
. "$TOP/tests/lib/e2e.sh"
S3RVER="$TOP/tests/node_modules/.bin/s3rver"
[ -x "$S3RVER" ] || skip "s3rver not installed (make deps)"
command -v node >/dev/null 2>&1 || skip "node not installed"
command -v curl >/dev/null 2>&1 || skip "curl not installed"
command -v jq >/dev/null 2>&1 || skip "jq not installed"
command -v python3 >/dev/null 2>&1 || skip "python3 not installed"

PIDS=""
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null; done
    for p in $PIDS; do wait "$p" 2>/dev/null; done
    chmod -R u+rwx "$WORK" 2>/dev/null; rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# ---------------------------------------------------------------- server
mkdir -p "$WORK/s3data"
"$S3RVER" -d "$WORK/s3data" -a 127.0.0.1 -p 0 >"$WORK/s3rver.log" 2>&1 &
PIDS="$PIDS $!"
PORT=""
for _ in $(seq 1 100); do
    PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$WORK/s3rver.log" | head -1)
    [ -n "$PORT" ] && break
    sleep 0.1
done
[ -n "$PORT" ] || { cat "$WORK/s3rver.log"; fail "s3rver did not start"; }
EP="http://127.0.0.1:$PORT"
s3curl() { curl -sS --fail-with-body --aws-sigv4 aws:amz:us-east-1:s3 --user S3RVER:S3RVER \
                -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$@"; }
mkbucket() { s3curl -o /dev/null -X PUT "$EP/$1" || fail "cannot create bucket $1"; }
# upload DIR BUCKET: every file below DIR, key = its path below DIR.
upload() {
    (cd "$1" && find . -type f | sed 's|^\./||' | sort) | while IFS= read -r k; do
        s3curl -o /dev/null -T "$1/$k" "$EP/$2/$k" || fail "cannot upload $k"
    done
}

# ---------------------------------------------------------------- fixtures
cat >"$WORK/pack.yaml" <<'EOF'
id: s3test
version: 1.0.0
description: fixtures for the S3 e2e test
rules:
  - id: test.faceprint.id
    kind: regex
    category: biometric_metadata
    severity: medium
    confidence: 0.9
    description: a face print id in a log
    examples:
      match: ['faceprint_id=123456']
      no_match: ['faceprint_id=12']
    pattern: 'faceprint_id=[0-9]{6}'
EOF
RULES="--rules $TOP/rules/vendors.yaml --rules $TOP/rules/paths.yaml --rules $WORK/pack.yaml"
C="$WORK/corpus"
mkdir -p "$C/logs/2025" "$C/lfw/Jane_Doe" "$C/zipsrc/app"
printf 'boot\nPOST https://rekognition.us-east-1.amazonaws.com/ HTTP/1.1\nok\n' >"$C/logs/api.log"
printf 'x\ny\nX-Amz-Target: RekognitionService.DetectFaces\nfaceprint_id=123456\n' >"$C/logs/2025/jan.log"
printf '%s\n' '{"ts":"2025-03-02T10:00:00Z","req":"POST https://vision.googleapis.com/v1/images:annotate","features":["FACE_DETECTION"],"status":200}' >"$C/logs/2025/feb.log"
printf 'nothing to see\n' >"$C/readme.txt"
printf 'not really a jpeg\n' >"$C/lfw/Jane_Doe/Jane_Doe_0001.jpg"
printf 'a\nPOST https://contoso-face.cognitiveservices.azure.com/face/v1.0/detect?returnFaceId=true HTTP/1.1\n' >"$C/zipsrc/app/calls.log"
(cd "$C/zipsrc" && zip -qr "$C/logs/bundle.zip" app) || fail "zip"
rm -rf "$C/zipsrc"
# A large object (> 8 MiB): streamed by ranged GETs; matches sit past the first range and
# past the first 8 MiB chunk, so every range is read.
python3 - "$C/big.log" <<'EOF'
import sys
with open(sys.argv[1], "w") as f:
    line = "x" * 99 + "\n"
    for i in range(90000):
        f.write(line)
        if i == 1000:
            f.write("faceprint_id=654321\n")
    f.write("POST https://rekognition.us-east-1.amazonaws.com/ HTTP/1.1\n")
EOF
for i in $(seq 1 12); do printf 'line %s\n' "$i" >"$C/logs/filler$i.txt"; done

mkbucket faces
upload "$C" faces

export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
unset AWS_SESSION_TOKEN AWS_PROFILE AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3 AWS_REGION AWS_DEFAULT_REGION 2>/dev/null
export HOME="$WORK/home" FACEAUDIT_S3_RETRIES=4
mkdir -p "$HOME"

# rule_id, location (with the bucket or folder prefix replaced by ROOT), members, line; sorted.
norm() { jq -c --arg root "$2" '[.rule_id, (.location.path | sub("^" + $root; "ROOT")), .location.members, .location.line]' "$1" | sort; }

# ---------------------------------------------------------------- findings equal the disk scan
run "$FA" scan -q $RULES --format jsonl --fail-on none "$C"
expect_rc 0
norm "$WORK/out" "$C" >"$WORK/disk.norm"
[ "$(wc -l <"$WORK/disk.norm")" -ge 7 ] || { cat "$WORK/disk.norm"; fail "the disk scan found too little"; }
grep -q '"ROOT/logs/bundle.zip",\["app/calls.log"\]' "$WORK/disk.norm" || fail "no archive member finding on disk"
grep -q 'ROOT/big.log' "$WORK/disk.norm" || fail "no finding in the large file on disk"

run "$FA" scan -q $RULES --endpoint-url "$EP" --s3-list-version 1 --format jsonl --fail-on none s3://faces
expect_rc 0
norm "$WORK/out" "s3://faces" >"$WORK/s3.norm"
diff "$WORK/disk.norm" "$WORK/s3.norm" >&2 || fail "S3 findings differ from the disk scan"
jq -s -e 'map(select(.location.path == "s3://faces/logs/api.log")) | length == 1 and .[0].location.uri == "s3://faces/logs/api.log" and .[0].location.target == "s3://faces"' \
    "$WORK/out" >/dev/null || { cat "$WORK/out"; fail "S3 locations are not s3://BUCKET/KEY"; }

# The exact invocation of the issue (v2 listing is the default; s3rver pages fine without tokens).
FACEAUDIT_RULES="$TOP/rules/vendors.yaml" run "$FA" scan --endpoint-url "$EP" --s3-list-version 1 --format jsonl s3://faces
expect_rc 1
expect_out 's3://faces/logs/api.log'
run "$FA" scan -q $RULES --endpoint-url "$EP" --format jsonl --fail-on none -j 1 --s3-concurrency 2 s3://faces
expect_rc 0
norm "$WORK/out" "s3://faces" | diff "$WORK/disk.norm" - >&2 || fail "v2 listing / -j 1 findings differ"

# A prefix scans only below it.
run "$FA" scan -q $RULES --endpoint-url "$EP" --format jsonl --fail-on none s3://faces/logs/2025
expect_rc 0
[ "$(jq -r .location.path "$WORK/out" | sort -u | tr '\n' ' ')" = "s3://faces/logs/2025/feb.log s3://faces/logs/2025/jan.log " ] ||
    { cat "$WORK/out"; fail "prefix scan"; }

# ---------------------------------------------------------------- document: objects and posture
run "$FA" scan -q $RULES --endpoint-url "$EP" --s3-list-version 1 --format json --fail-on none s3://faces
expect_rc 0
cp "$WORK/out" "$WORK/doc.json"
NFILES=$(cd "$C" && find . -type f | wc -l)
jq -e --argjson n "$NFILES" '[.objects[] | select(.location.members == [])] | length == $n' "$WORK/doc.json" >/dev/null ||
    fail "objects[] does not list every object"
jq -e --argjson size "$(wc -c <"$C/logs/api.log")" '.objects[] | select(.location.path == "s3://faces/logs/api.log") |
        .size == $size and (.etag | test("^[0-9a-f]{32}$")) and .storage_class == "STANDARD" and (.mtime | test("^20[0-9-]+T"))' \
    "$WORK/doc.json" >/dev/null || { jq '.objects[0]' "$WORK/doc.json"; fail "object facts (size, etag, storage class, mtime)"; }
jq -e '.objects[] | select(.location.path == "s3://faces/logs/bundle.zip" and .location.members == ["app/calls.log"])' \
    "$WORK/doc.json" >/dev/null || fail "archive members inside objects are not listed"
jq -e '.buckets | length == 1 and .[0].bucket == "faces"' "$WORK/doc.json" >/dev/null || fail "no bucket posture record"
# s3rver implements none of the posture calls: every field unknown, with the reason.
jq -e '.buckets[0] | .public_access_block == null and .encryption == null and
        (.unknown.public_access_block | test("NotImplemented")) and (.unknown.lifecycle | test("NotImplemented")) and
        (.unknown.versioning | length > 0)' "$WORK/doc.json" >/dev/null || { jq '.buckets' "$WORK/doc.json"; fail "posture unknowns"; }
# The inventory reads the document with its buckets.
run "$FA" inventory --format json "$WORK/doc.json"
[ "$RC" -le 1 ] || { cat "$WORK/err"; fail "inventory rejects the S3 scan document"; }

# ---------------------------------------------------------------- paging (v1 markers, 3 keys a page)
FACEAUDIT_S3_PAGE_SIZE=3 run "$FA" scan -q $RULES --debug --endpoint-url "$EP" --s3-list-version 1 --format jsonl --fail-on none s3://faces
expect_rc 0
norm "$WORK/out" "s3://faces" | diff "$WORK/disk.norm" - >&2 || fail "paged listing findings differ"
PAGES=$(grep -c '> GET /faces?.*max-keys=3' "$WORK/err")
[ "$PAGES" -ge 6 ] || fail "expected at least 6 listing pages, saw $PAGES"
grep -q '> GET /faces?marker=' "$WORK/err" || fail "no marker paging"

# ---------------------------------------------------------------- a large object no rule wants
# Only its first range is fetched: the sniffer sees random bytes and no rule reads further.
mkbucket blobs
head -c 10485760 /dev/urandom >"$WORK/blob.bin"
s3curl -o /dev/null -T "$WORK/blob.bin" "$EP/blobs/blob.bin" || fail "upload blob"
run "$FA" scan -q $RULES --debug --endpoint-url "$EP" --format json --fail-on none s3://blobs
expect_rc 0
[ "$(grep -c '> GET /blobs/blob.bin' "$WORK/err")" -eq 1 ] || fail "a large object no rule wants was fetched more than once"
grep -q '> Range: bytes=0-65535' "$WORK/err" || fail "no small first range for a large object"
jq -e '.objects | length == 1 and .[0].size == 10485760' "$WORK/out" >/dev/null || fail "the large object is not recorded with its size"

# ---------------------------------------------------------------- --state: unchanged objects are not fetched
run "$FA" scan -q $RULES --state "$WORK/state.db" --endpoint-url "$EP" --format jsonl --fail-on none s3://faces/logs
expect_rc 0
cp "$WORK/out" "$WORK/state1.out"
run "$FA" scan -q $RULES --debug --state "$WORK/state.db" --endpoint-url "$EP" --format jsonl --fail-on none s3://faces/logs
expect_rc 0
diff "$WORK/state1.out" "$WORK/out" >&2 || fail "carried-over S3 findings differ"
if grep -q '> GET /faces/logs/' "$WORK/err"; then fail "unchanged objects were fetched again with --state"; fi

# ---------------------------------------------------------------- --debug redacts secrets
AWS_SECRET_ACCESS_KEY=sekr1tValue42 AWS_SESSION_TOKEN=t0kenValue99 run "$FA" scan -q $RULES --debug \
    --endpoint-url "$EP" --format jsonl --fail-on none s3://faces/logs/api.log
expect_rc 0
expect_out 'rekognition'
grep -q 'Authorization: \[REDACTED\]' "$WORK/err" || { head -20 "$WORK/err"; fail "no redacted Authorization in the trace"; }
grep -qi 'x-amz-security-token: \[REDACTED\]' "$WORK/err" || fail "the session token header is not redacted"
if grep -q 'sekr1tValue42\|t0kenValue99\|AWS4-HMAC-SHA256 Credential' "$WORK/err" "$WORK/out"; then fail "a secret leaked into the output"; fi

# ---------------------------------------------------------------- --debug never shows content
# A face embedding (JSON floats and base64 float32) in a bucket object: the trace (headers)
# and the outputs carry neither the values nor the base64.
python3 - "$WORK/emb.jsonl" "$WORK/probes.txt" <<'EOF'
import base64, json, random, struct, sys
rnd = random.Random(5)
v = [rnd.gauss(0, 0.09) for _ in range(128)]
b = base64.b64encode(struct.pack("<128f", *v)).decode()
with open(sys.argv[1], "w") as f:
    f.write(json.dumps({"user": 7, "face_embedding": [round(x, 6) for x in v]}) + "\n")
    f.write(json.dumps({"user": 8, "descriptor_b64": b}) + "\n")
with open(sys.argv[2], "w") as f:
    f.write(b[:40] + "\n" + ", ".join(str(round(x, 6)) for x in v[:3]) + "\n")   # as the object holds them
EOF
mkbucket leak
s3curl -o /dev/null -T "$WORK/emb.jsonl" "$EP/leak/emb.jsonl" || fail "upload emb.jsonl"
run "$FA" scan -q --rules "$TOP/rules/templates.yaml" --debug --endpoint-url "$EP" --format json --fail-on none s3://leak
expect_rc 0
jq -e '[.findings[] | select(.category == "face_template")] | length >= 1' "$WORK/out" >/dev/null ||
    fail "no face_template finding in the bucket object: $(jq -c '[.findings[].rule_id]' "$WORK/out")"
grep -q '> GET /leak/emb.jsonl' "$WORK/err" || fail "no --debug trace of the GET"
while IFS= read -r probe; do
    if grep -qF -- "$probe" "$WORK/err" "$WORK/out"; then fail "--debug or the output holds object content"; fi
done < "$WORK/probes.txt"

# ---------------------------------------------------------------- credentials from a profile
mkdir -p "$HOME/.aws"
printf '[default]\nregion = eu-west-1\n\n[scanner]\naws_access_key_id = S3RVER\naws_secret_access_key = fromfile\n' >"$HOME/.aws/credentials"
(unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
 run "$FA" scan -q $RULES --profile scanner --endpoint-url "$EP" --format jsonl --fail-on none s3://faces/logs/api.log
 expect_rc 0; expect_out 'rekognition'
 AWS_PROFILE=scanner run "$FA" scan -q $RULES --endpoint-url "$EP" --format jsonl --fail-on none s3://faces/logs/api.log
 expect_rc 0; expect_out 'rekognition'
 run "$FA" scan -q $RULES --profile nosuchprofile --endpoint-url "$EP" --format jsonl s3://faces
 expect_rc 2; expect_err "profile 'nosuchprofile' not found") || exit 1
# AWS_ENDPOINT_URL instead of --endpoint-url.
AWS_ENDPOINT_URL="$EP" run "$FA" scan -q $RULES --format jsonl --fail-on none s3://faces/logs/api.log
expect_rc 0
expect_out 'rekognition'

# ---------------------------------------------------------------- fatal errors: exit 2 naming the cause
AWS_ACCESS_KEY_ID=NOTAKEY run "$FA" scan -q $RULES --endpoint-url "$EP" --format jsonl s3://faces
expect_rc 2
expect_err 'authentication failed'
expect_err 'InvalidAccessKeyId'
[ ! -s "$WORK/out" ] || fail "findings printed despite the auth failure"
run "$FA" scan -q $RULES --endpoint-url "$EP" --format jsonl s3://no-such-bucket
expect_rc 2
expect_err 'bucket does not exist'
# No network: a closed port on loopback.
CLOSED=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
FACEAUDIT_S3_RETRIES=1 run timeout 60 "$FA" scan -q $RULES --endpoint-url "http://127.0.0.1:$CLOSED" --format jsonl s3://faces
expect_rc 2
expect_err 'no answer from'
expect_err "Couldn't connect\|Failed to connect"

# ---------------------------------------------------------------- GLACIER and --max-object-size
start_proxy() {   # start_proxy ARGS...: a fault proxy in front of s3rver; sets PPORT
    rm -f "$WORK/pport" "$WORK/proxy.log"
    python3 "$TOP/tests/lib/s3_fault_proxy.py" --upstream "$PORT" --port-file "$WORK/pport" --bucket "${PBUCKET:-faces}" \
        --log "$WORK/proxy.log" "$@" &
    PROXY=$!
    PIDS="$PIDS $PROXY"
    for _ in $(seq 1 100); do [ -s "$WORK/pport" ] && break; sleep 0.05; done
    PPORT=$(cat "$WORK/pport") || fail "the fault proxy did not start"
}
stop_proxy() { kill "$PROXY" 2>/dev/null; wait "$PROXY" 2>/dev/null; }

start_proxy --glacier logs/api.log
run "$FA" scan -q $RULES --endpoint-url "http://127.0.0.1:$PPORT" --format json --fail-on none --max-object-size 1M s3://faces
stop_proxy
expect_rc 0
jq -e '.objects[] | select(.location.path == "s3://faces/logs/api.log") | .storage_class == "GLACIER" and (.skipped | test("GLACIER"))' \
    "$WORK/out" >/dev/null || fail "a GLACIER object is not listed as skipped"
jq -e '[.findings[] | select(.location.path == "s3://faces/logs/api.log")] | length == 0' "$WORK/out" >/dev/null ||
    fail "a GLACIER object was scanned"
grep -q 'GET /faces/logs/api.log' "$WORK/proxy.log" && fail "a GLACIER object was fetched"
jq -e '.limits[] | select(.location.path == "s3://faces/big.log" and .limit == "max_object_size")' "$WORK/out" >/dev/null ||
    fail "an object over --max-object-size is not a limits entry"
jq -e '.objects[] | select(.location.path == "s3://faces/big.log") | .skipped != null' "$WORK/out" >/dev/null ||
    fail "an object over --max-object-size is not listed as skipped"
grep -q 'GET /faces/big.log' "$WORK/proxy.log" && fail "an object over --max-object-size was fetched"

# ---------------------------------------------------------------- 503 SlowDown, then success
start_proxy --fail 3 --fail-match /faces/logs/
run "$FA" scan -q $RULES --endpoint-url "http://127.0.0.1:$PPORT" --s3-list-version 1 --format jsonl --fail-on none s3://faces
stop_proxy
expect_rc 0
norm "$WORK/out" "s3://faces" | diff "$WORK/disk.norm" - >&2 || fail "findings differ after retried 503s"
[ "$(grep -c '^503 ' "$WORK/proxy.log")" -eq 3 ] || fail "the proxy did not answer 503 three times"

# ---------------------------------------------------------------- an object deleted mid-scan
mkbucket shifting
upload "$C/logs/2025" shifting
PBUCKET=shifting; start_proxy --delete-on-list jan.log; PBUCKET=faces
run "$FA" scan -q $RULES --endpoint-url "http://127.0.0.1:$PPORT" --format json --fail-on none s3://shifting
stop_proxy
expect_rc 0
jq -e '.errors | length == 1 and .[0].code == "vanished" and .[0].location.path == "s3://shifting/jan.log"' "$WORK/out" >/dev/null ||
    { jq '.errors' "$WORK/out"; cat "$WORK/proxy.log"; fail "a vanished object is not an errors entry"; }
jq -e '.scan.complete == false and ([.findings[] | select(.location.path == "s3://shifting/feb.log")] | length == 1)' \
    "$WORK/out" >/dev/null || fail "the other objects of the bucket were not scanned"

# ---------------------------------------------------------------- a stalled server
# A GET never answered: each attempt is cut after --s3-timeout (1 s) without a byte, the
# request by its deadline (2 x 1 s + the object at 64 KiB/s): about 2 s, not a hang.
start_proxy --stall-match /faces/logs/api.log
START=$(date +%s)
FACEAUDIT_S3_RETRIES=1 run timeout 60 "$FA" scan -q $RULES --endpoint-url "http://127.0.0.1:$PPORT" --s3-timeout 1 \
    --format json --fail-on none s3://faces/logs
ELAPSED=$(( $(date +%s) - START ))
stop_proxy
[ "$RC" -ne 124 ] || fail "the scan hung on a stalled server"
expect_rc 0
[ "$ELAPSED" -lt 10 ] || fail "a stalled server took ${ELAPSED}s (the request deadline is about 2 s)"
jq -e '.errors[] | select(.location.path == "s3://faces/logs/api.log" and (.message | test("stalled|timed out|Timeout")))' \
    "$WORK/out" >/dev/null || { jq .errors "$WORK/out"; fail "a stalled GET is not an errors entry"; }
jq -e '[.findings[] | select(.location.path == "s3://faces/logs/2025/jan.log")] | length == 2' "$WORK/out" >/dev/null ||
    fail "other objects were not scanned around the stalled one"
exit 0
