#!/bin/sh
# make bench (issue 5): scanning a bucket against scanning the same files on disk.
# s3rver (tests/node_modules) serves on 127.0.0.1; 2,000 small objects (logs of a few KiB)
# and 200 large ones (BENCH_S3_LARGE_MB each, default 2) are scanned from the bucket with
# --s3-concurrency 8 and from disk (listing v1: s3rver cannot page ListObjectsV2); prints objects/s and MB/s of each and their ratio.
# Goal: the bucket at >= 0.7x the disk rate on loopback.
set -u
. "$(dirname "$0")/bench-lib.sh"
S3RVER="$TOP/tests/node_modules/.bin/s3rver"
SMALL=${BENCH_S3_SMALL:-2000}
LARGE=${BENCH_S3_LARGE:-200}
LARGE_MB=${BENCH_S3_LARGE_MB:-2}
[ -x "$S3RVER" ] || { echo "bench-s3: s3rver not installed (make deps)" >&2; exit 0; }
DIR=$(mktemp -d "${TMPDIR:-/tmp}/fa-bench-s3.XXXXXX")
PID=""
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; [ -n "$PID" ] && wait "$PID" 2>/dev/null; rm -rf "$DIR"' EXIT
mkdir -p "$DIR/data" "$DIR/small" "$DIR/large"
python3 - "$DIR" "$SMALL" "$LARGE" "$LARGE_MB" <<'PYEOF'
import os, sys
d, small, large, mb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
plain = "".join("2025-01-01T00:00:%02dZ info request %d served in %d ms path=/api/v1/items/%d\n" % (i % 60, i, i % 97, i)
                for i in range(60))
call = "2025-01-01T00:00:00Z debug POST https://rekognition.us-east-1.amazonaws.com/ HTTP/1.1\n"
for i in range(small):
    os.makedirs("%s/small/d%02d" % (d, i % 50), exist_ok=True)
    with open("%s/small/d%02d/app-%05d.log" % (d, i % 50, i), "w") as f:
        f.write(plain + (call if i % 10 == 0 else ""))
block = (plain * 200).encode()
for i in range(large):
    with open("%s/large/big-%03d.log" % (d, i), "wb") as f:
        n = 0
        while n < mb << 20:
            f.write(block); n += len(block)
        f.write(call.encode())
PYEOF
"$S3RVER" -d "$DIR/data" -a 127.0.0.1 -p 0 -s >"$DIR/s3rver.log" 2>&1 &
PID=$!
# -s silences request logs; the listening line still comes first.
PORT=""
for _ in $(seq 1 100); do
    PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$DIR/s3rver.log" | head -1)
    [ -n "$PORT" ] && break
    sleep 0.1
done
if [ -z "$PORT" ]; then
    # Silent mode may print nothing: fall back to a fixed free port.
    kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null
    PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
    "$S3RVER" -d "$DIR/data" -a 127.0.0.1 -p "$PORT" >/dev/null 2>&1 &
    PID=$!
    sleep 1.5
fi
EP="http://127.0.0.1:$PORT"
AUTH="--aws-sigv4 aws:amz:us-east-1:s3 --user S3RVER:S3RVER -H x-amz-content-sha256:UNSIGNED-PAYLOAD"
# upload SET: every file of $DIR/SET into bucket SET, 16 transfers at a time.
upload() {
    curl -sS $AUTH -o /dev/null -X PUT "$EP/$1" || return 1
    (cd "$DIR/$1" && find . -type f | sed 's|^\./||' | sort | while IFS= read -r k; do
        printf 'upload-file = "%s"\nurl = "%s/%s/%s"\noutput = "/dev/null"\n' "$DIR/$1/$k" "$EP" "$1" "$k"
    done) >"$DIR/$1.curl"
    curl -sS --no-progress-meter --parallel --parallel-max 16 $AUTH -K "$DIR/$1.curl" || return 1
}
upload small && upload large || { echo "bench-s3: upload to s3rver failed" >&2; exit 1; }
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
RULES="--rules $TOP/rules/vendors.yaml"
rc=0
for set in small large; do
    n=$(find "$DIR/$set" -type f | wc -l)
    bytes=$(du -sb "$DIR/$set" | cut -f1)
    timed "$DIR/disk.out" "$FA" scan -q --format jsonl --fail-on none $RULES "$DIR/$set"
    td=$T
    timed "$DIR/s3.out" "$FA" scan -q --format jsonl --fail-on none --s3-concurrency 8 --s3-list-version 1 $RULES --endpoint-url "$EP" "s3://$set"
    ts=$T
    rss=$RSS
    # The server's own ceiling: curl fetching the same objects, 8 at a time.
    (cd "$DIR/$set" && find . -type f | sed 's|^\./||' | while IFS= read -r k; do
        printf 'url = "%s/%s/%s"\noutput = "/dev/null"\n' "$EP" "$set" "$k"
    done) >"$DIR/get.curl"
    timed "$DIR/curl.out" curl -sS --no-progress-meter --parallel --parallel-max 8 $AUTH -K "$DIR/get.curl"
    tc=$T
    fd=$(wc -l <"$DIR/disk.out")
    fs=$(wc -l <"$DIR/s3.out")
    [ "$fd" = "$fs" ] || { echo "bench-s3: $set: $fs findings from the bucket, $fd from disk" >&2; rc=1; }
    if [ "$set" = small ]; then
        a=$(awk -v n="$n" -v t="$ts" 'BEGIN { printf "%.0f", n / t }')
        b=$(awk -v n="$n" -v t="$td" 'BEGIN { printf "%.0f", n / t }')
        row "S3: $n small objects (s3rver, --s3-concurrency 8)" "$a" "same files on disk" "$b" "objects/s" "$rss" ">= 0.7x disk"
    else
        a=$(awk -v b="$bytes" -v t="$ts" 'BEGIN { printf "%.0f", b / 1048576 / t }')
        b=$(awk -v b="$bytes" -v t="$td" 'BEGIN { printf "%.0f", b / 1048576 / t }')
        row "S3: $n large objects of $LARGE_MB MiB (s3rver, --s3-concurrency 8)" "$a" "same files on disk" "$b" "MB/s" "$rss" ">= 0.7x disk"
    fi
    # s3rver is one Node.js thread: when it cannot serve 0.7x the disk rate even to curl, the
    # goal is judged against what it can serve.
    awk -v a="$a" -v b="$b" -v ts="$ts" -v tc="$tc" -v set="$set" 'BEGIN {
        c = a * ts / tc; printf "  s3rver ceiling (curl --parallel 8, same objects): %.0f %s; faceaudit reaches %.2fx of it\n", c, (set == "small" ? "objects/s" : "MB/s"), a / c
        if (b > 0 && a / b < 0.7) {
            if (a / c >= 0.7) print "  below 0.7x of disk, but the server is the bottleneck (faceaudit >= 0.7x of its ceiling)"
            else { print "  below the 0.7x goal"; exit 1 }
        } }' || rc=1
done
exit $rc
