#!/bin/sh
# Hostile S3 servers (tests/lib/s3_hostile_server.py, one misbehaviour per run, on
# 127.0.0.1): a GET that stalls mid-body, connection resets during a GET and during a
# listing, malformed listing XML, endless pagination (new tokens forever, with or without
# keys), a pagination cycle, and entity bombs in a listing; with both listing APIs. Every
# scan must end well before its `timeout` guard, with an errors entry or exit 2 and a clear
# message, and with peak RSS under 200 MiB. Also: a GET that trickles one byte a second
# (cut by the request deadline, by --max-scan-time, by SIGINT; whole or ranged), a listing
# never answered (cut by --max-scan-time), and region redirects
# (301 + x-amz-bucket-region followed once, re-signed; a 301 naming no region = exit 2).
. "$TOP/tests/lib/e2e.sh"
. "$TOP/tests/lib/hostile.sh"
RSS_MAX=$((200 * 1024))
if ldd "$FA" 2>/dev/null | grep -q -E 'lib(asan|ubsan|tsan)'; then RSS_MAX=$((RSS_MAX * 4)); fi
SERVER="$TOP/tests/lib/s3_hostile_server.py"

SPID="" SARGS=""   # SARGS: extra arguments of the next server
cleanup() {
    [ -n "$SPID" ] && kill "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null
    chmod -R u+rwx "$WORK" 2>/dev/null; rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

export AWS_ACCESS_KEY_ID=HOSTILEKEY AWS_SECRET_ACCESS_KEY=HOSTILESECRET
unset AWS_SESSION_TOKEN AWS_PROFILE AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3 AWS_REGION AWS_DEFAULT_REGION 2>/dev/null
unset FACEAUDIT_S3_PAGE_SIZE FACEAUDIT_S3_MAX_PAGES 2>/dev/null
# One retry keeps each failure to two attempts (the retry itself is tested in s3.sh).
export HOME="$WORK/home" FACEAUDIT_S3_RETRIES=1
mkdir -p "$HOME"

start_server() {
    rm -f "$WORK/port" "$WORK/server.log"
    # shellcheck disable=SC2086
    python3 "$SERVER" --mode "$1" --port-file "$WORK/port" --log "$WORK/server.log" --max-seconds 45 $SARGS &
    SPID=$!
    for _ in $(seq 1 100); do
        [ -s "$WORK/port" ] && break
        sleep 0.05
    done
    [ -s "$WORK/port" ] || fail "the hostile server ($1) did not start"
    PORT=$(cat "$WORK/port")
}
stop_server() { kill "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null; SPID=""; }

# hscan MODE VERSION MAXSECS [ENV=VALUE...]: scans s3://b against a fresh server in MODE
# under a 40 s guard; asserts it ended in time and memory. Output in $WORK/MODE-vV.{out,err}.
hscan() {
    _m=$1 _v=$2 _max=$3; shift 3
    N="$_m-v$_v"
    start_server "$_m"
    measured "$N" env "$@" timeout 40 "$FA" scan -q --rules "$WORK/mini.yaml" --endpoint-url "http://127.0.0.1:$PORT" \
        --s3-list-version "$_v" --s3-timeout 1 --format json --fail-on none s3://b
    stop_server
    [ "$RC" -ne 124 ] || fail "$N: the scan hung (killed by the 40 s guard)"
    [ "$RC" -lt 128 ] || fail "$N: the scan died (exit $RC): $(tail -5 "$WORK/$N.err")"
    bounded "$N" "$_max"
}
# exits2 PATTERN: the last scan exited 2 and said PATTERN (extended regex) on stderr.
exits2() {
    [ "$RC" -eq 2 ] || { tail -5 "$WORK/$N.err"; fail "$N: exit $RC, expected 2"; }
    grep -q -E "$1" "$WORK/$N.err" || { cat "$WORK/$N.err"; fail "$N: stderr lacks /$1/"; }
}
# lists N1 N2: the server answered between N1 and N2 listing requests.
lists() {
    _n=$(grep -c '^LIST' "$WORK/server.log")
    [ "$_n" -ge "$1" ] && [ "$_n" -le "$2" ] || fail "$N: $_n listing requests, expected $1..$2"
}
# errs KEY PATTERN: the document has an errors entry for s3://b/KEY whose message matches.
errs() {
    jq -e --arg p "s3://b/$1" --arg re "$2" \
        '[.errors[] | select(.location.path == $p and (.message | test($re; "i")))] | length == 1' \
        "$WORK/$N.out" >/dev/null || { jq -c .errors "$WORK/$N.out"; fail "$N: no errors entry for $1 matching /$2/"; }
    jq -e '[.objects[] | select(.location.path == "s3://b/a.txt")] | length == 1' "$WORK/$N.out" >/dev/null ||
        fail "$N: the healthy object a.txt was not scanned"
    jq -e '.scan.complete == false' "$WORK/$N.out" >/dev/null || fail "$N: scan.complete should be false"
}

# ---------------------------------------------------------------- objects
# A GET that stalls mid-body: each attempt is cut after --s3-timeout (1 s) without a byte,
# and the request as a whole by its deadline (2 x 1 s + 5000 B at 64 KiB/s): two attempts,
# about 2 s in all (it was about 7 s per attempt with libcurl's low-speed limit).
hscan stall-get 2 6
[ "$RC" -eq 0 ] || fail "$N: exit $RC"
errs stall.txt 'stalled|timed out|timeout'
[ "$(grep -c '^GET stall.txt' "$WORK/server.log")" -eq 2 ] || fail "$N: the stalled GET was not retried once"

# A connection reset during a GET.
hscan reset-get 1 10
[ "$RC" -eq 0 ] || fail "$N: exit $RC"
errs reset.txt 'reset|recv failure|receiving'

# ---------------------------------------------------------------- listings
for v in 1 2; do
    # A connection reset during the listing: no silent empty scan.
    hscan reset-list "$v" 10
    exits2 'cannot list s3://b: no answer .*(reset|Recv failure|receiving)'
    lists 2 2

    # Malformed XML.
    hscan malformed "$v" 10
    exits2 'cannot list s3://b:.*not a ListBucketResult'

    # Entity bombs: nested (billion laughs) and one large entity referenced 20000 times.
    hscan bomb "$v" 10
    exits2 'cannot list s3://b:.*not a ListBucketResult'
    hscan quadratic "$v" 10
    exits2 'cannot list s3://b:.*not a ListBucketResult'

    # Endless pagination with a fresh key per page: cut by FACEAUDIT_S3_MAX_PAGES.
    hscan endless "$v" 20 FACEAUDIT_S3_MAX_PAGES=60
    exits2 'cannot list s3://b: the listing goes on past 60 pages'
    lists 60 60
    jq -e '.objects | length == 59' "$WORK/$N.out" >/dev/null ||
        fail "$N: the 59 keys listed before the bound were not all scanned"

    # Endless empty pages: cut by the fixed bound of 1000 empty pages in a row.
    hscan empty "$v" 20
    exits2 'cannot list s3://b: 1000 listing pages in a row without a key'
    lists 1000 1000

    # A cycle of tokens (markers): the fourth page repeats the first one's.
    hscan cycle "$v" 10
    exits2 'cannot list s3://b: the store repeats a page'
    lists 4 4
done

# ---------------------------------------------------------------- trickling, deadlines
# tscan NAME MODE MAXSECS ARGS...: scans s3://b against a fresh server in MODE with the
# mini pack and a 40 s guard; output in $WORK/NAME.{out,err}; asserts the time bound.
tscan() {
    N=$1 _m=$2 _max=$3; shift 3
    start_server "$_m"
    measured "$N" timeout 40 "$FA" scan -q --rules "$WORK/mini.yaml" --endpoint-url "http://127.0.0.1:$PORT" \
        --format json "$@" s3://b
    stop_server
    [ "$RC" -ne 124 ] || fail "$N: the scan hung (killed by the 40 s guard)"
    [ "$RC" -lt 128 ] || fail "$N: the scan died (exit $RC): $(tail -5 "$WORK/$N.err")"
    bounded "$N" "$_max"
}

# Headers, then 1 byte/s forever: no stall, so only the request deadline (2 x 2 s + 5000 B at
# 64 KiB/s, about 4 s) cuts it, once (a trickle is not retried). The scan goes on: a.txt is
# scanned and found; trickle.txt is an errors entry naming it; exit 3 (incomplete, with
# --fail-on-scan-errors and no finding at --fail-on).
tscan trickle trickle-get 10 --s3-timeout 2 --fail-on none --fail-on-scan-errors
[ "$RC" -eq 3 ] || { tail -5 "$WORK/$N.err"; fail "$N: exit $RC, expected 3"; }
errs trickle.txt 'cannot read s3://b/trickle\.txt: .*timed out: .*deadline .*trickles'
jq -e '[.findings[] | select(.location.path == "s3://b/a.txt" and .rule_id == "hostile.vendor")] | length == 1' \
    "$WORK/$N.out" >/dev/null || fail "$N: the healthy object's finding is missing"
[ "$(grep -c '^GET trickle.txt' "$WORK/server.log")" -eq 1 ] || fail "$N: a trickling GET was retried"
# Without --fail-on none the finding decides the exit status (1), as the contract says.
tscan trickle-findings trickle-get 10 --s3-timeout 1
[ "$RC" -eq 1 ] || fail "$N: exit $RC, expected 1"

# --max-scan-time 3 ends a scan whose only object trickles, though --s3-timeout is long:
# the object becomes the max_scan_time limits entry (not an error, not a silent drop).
tscan trickle-scan-time trickle-only 6 --s3-timeout 60 --max-scan-time 3 --fail-on-scan-errors
[ "$RC" -eq 3 ] || { tail -5 "$WORK/$N.err"; fail "$N: exit $RC, expected 3"; }
[ "$SECS" -ge 3 ] || fail "$N: ended after ${SECS}s, before the 3 s deadline"
jq -e '.limits == [.limits[0]] and .limits[0].limit == "max_scan_time" and .limits[0].value == 3 and
       .limits[0].location.path == "s3://b/trickle.txt" and .errors == [] and .scan.complete == false' \
    "$WORK/$N.out" >/dev/null || { jq -c '{limits, errors}' "$WORK/$N.out"; fail "$N: no max_scan_time limits entry for trickle.txt"; }

# A large object (20 MB: ranged GETs) whose first 64 KiB range comes at once and whose next
# range trickles: its deadline is long (2 x 2 s + 8 MiB at 64 KiB/s), so --max-scan-time 3
# cuts it mid-stream: an errors entry naming it (max_scan_time), the rest of the scan kept.
SARGS="--trickle-size 20000000 --trickle-from 65536"
tscan trickle-range trickle-get 7 --s3-timeout 2 --max-scan-time 3 --fail-on none --fail-on-scan-errors
SARGS=""
[ "$RC" -eq 3 ] || { tail -5 "$WORK/$N.err"; fail "$N: exit $RC, expected 3"; }
errs trickle.txt 'cannot read s3://b/trickle\.txt: .*--max-scan-time'
jq -e '.errors[0].code == "max_scan_time"' "$WORK/$N.out" >/dev/null || fail "$N: the errors entry's code is not max_scan_time"
[ "$(grep -c '^GET trickle.txt' "$WORK/server.log")" -eq 2 ] || fail "$N: expected two ranged GETs of trickle.txt"

# A listing never answered, --s3-timeout long: --max-scan-time 2 ends the scan, with the
# max_scan_time limits entry at the target (not exit 2: the bucket did not fail).
tscan stall-list-scan-time stall-list 5 --s3-timeout 60 --max-scan-time 2 --fail-on-scan-errors
[ "$RC" -eq 3 ] || { tail -5 "$WORK/$N.err"; fail "$N: exit $RC, expected 3"; }
jq -e '.limits == [.limits[0]] and .limits[0].limit == "max_scan_time" and .limits[0].location.path == "s3://b" and
       .errors == [] and .scan.complete == false' "$WORK/$N.out" >/dev/null ||
    { jq -c '{limits, errors}' "$WORK/$N.out"; fail "$N: no max_scan_time limits entry at s3://b"; }

# SIGINT during a trickling GET ends the scan at once (exit 2, "interrupted").
start_server trickle-only
timeout 40 "$FA" scan -q --rules "$WORK/mini.yaml" --endpoint-url "http://127.0.0.1:$PORT" --s3-timeout 60 \
    --format json s3://b >"$WORK/sigint.out" 2>"$WORK/sigint.err" &
FPID=$!
# signal it once its GET is in flight (a fixed sleep can land before the handler is installed)
for _ in $(seq 1 200); do grep -q '^GET ' "$WORK/server.log" 2>/dev/null && break; sleep 0.05; done
sleep 0.2
T0=$(date +%s)
kill -INT "$FPID"
wait "$FPID"; RC=$?
T1=$(date +%s)
stop_server
[ "$RC" -eq 2 ] || fail "sigint: exit $RC, expected 2: $(cat "$WORK/sigint.err")"
grep -q 'interrupted' "$WORK/sigint.err" || fail "sigint: no 'interrupted' message: $(cat "$WORK/sigint.err")"
[ $((T1 - T0)) -le 3 ] || fail "sigint: the scan took $((T1 - T0))s to stop after SIGINT"

# ---------------------------------------------------------------- region redirects
# The store answers 301 PermanentRedirect + x-amz-bucket-region: eu-west-1 to requests
# signed for another region: the first listing is redirected once, then every request
# (listing, posture, GETs) is re-signed for eu-west-1 at the same endpoint.
tscan redirect redirect-region 10 --debug --s3-timeout 2
[ "$RC" -eq 1 ] || { tail -5 "$WORK/$N.err"; fail "$N: exit $RC, expected 1 (a finding)"; }
jq -e '.buckets | length == 1 and .[0].region == "eu-west-1" and .[0].bucket == "b"' "$WORK/$N.out" >/dev/null ||
    { jq -c .buckets "$WORK/$N.out"; fail "$N: the posture record does not show region eu-west-1"; }
jq -e '([.findings[] | select(.location.path == "s3://b/a.txt")] | length == 1) and .errors == [] and .scan.complete' \
    "$WORK/$N.out" >/dev/null || fail "$N: the redirected bucket was not scanned"
[ "$(grep -c '^REDIRECT' "$WORK/server.log")" -eq 1 ] || { cat "$WORK/server.log"; fail "$N: not exactly one redirected request"; }
grep -q '^GET a.txt' "$WORK/server.log" || fail "$N: a.txt was not fetched"
grep -q 's3: \* s3://b is in region eu-west-1, not us-east-1 (x-amz-bucket-region' "$WORK/$N.err" ||
    fail "$N: --debug does not say the region was switched"
# With the region given, no redirect at all.
tscan redirect-given redirect-region 10 --region eu-west-1
[ "$RC" -eq 1 ] || fail "$N: exit $RC, expected 1"
grep -q '^REDIRECT' "$WORK/server.log" && fail "$N: redirected although signed for the right region"
# A 301 that names no region (no header; the body's AWS <Endpoint> is not trusted for a
# custom endpoint): the clear error, exit 2, after one request.
tscan redirect-noregion redirect-noregion 10
exits2 'cannot list s3://b: the bucket is in another region .*give --region'
[ "$(grep -c '^REDIRECT' "$WORK/server.log")" -eq 1 ] || fail "$N: the unusable redirect was retried"
exit 0
