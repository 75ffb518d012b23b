#!/bin/sh
# Hostile S3 servers (tests/lib/s3_hostile_server.py, one misbehaviour per run, on
# 127.0.0.1): a GET that stalls mid-body, connection resets during a GET and during a
# listing, malformed listing XML, endless pagination (new tokens forever, with or without
# keys), a pagination cycle, and entity bombs in a listing; with both listing APIs. Every
# scan must end well before its `timeout` guard, with an errors entry or exit 2 and a clear
# message, and with peak RSS under 200 MiB.
. "$TOP/tests/lib/e2e.sh"
. "$TOP/tests/lib/hostile.sh"
RSS_MAX=$((200 * 1024))
if ldd "$FA" 2>/dev/null | grep -q -E 'lib(asan|ubsan|tsan)'; then RSS_MAX=$((RSS_MAX * 4)); fi
SERVER="$TOP/tests/lib/s3_hostile_server.py"

SPID=""
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
    python3 "$SERVER" --mode "$1" --port-file "$WORK/port" --log "$WORK/server.log" --max-seconds 45 &
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
# A GET that stalls mid-body: cut by the low-speed limit (--s3-timeout 1; libcurl judges
# the speed over a window of about 6 s, so each attempt takes about 7 s), retried once.
hscan stall-get 2 20
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
exit 0
