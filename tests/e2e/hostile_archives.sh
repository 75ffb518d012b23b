#!/bin/sh
# Archive bombs: every one ends in `limits` entries (or, where the format gives the bomb no
# grip, in bounded work), with peak RSS under 300 MiB and bounded wall time.
. "$TOP/tests/lib/e2e.sh"
. "$TOP/tests/lib/hostile.sh"
scan() { measured "$1" "$FA" scan --rules "$WORK/mini.yaml" -q --format json -o "$WORK/$1.json" "$@"; }
# (the first argument doubles as the run's name and is also scanned: keep it a file name)

# 1. 42.zip style: 16 zips of 16 zips of 16 zips of 16 members (65536 leaves, 4 GiB of text).
hostile nested-zip 42.zip 16 4 65536 'face\n'
scan 42.zip --max-scan-time 3
bounded "42.zip/max-scan-time" 15
has_limit 42.zip.json max_scan_time max_archive_bytes
jq -e '.scan.complete == false' 42.zip.json >/dev/null || fail "42.zip: scan.complete should be false"
scan 42.zip --max-members 300
bounded "42.zip/max-members" 20
has_limit 42.zip.json max_members
n=$(jq '.objects | length' 42.zip.json)
[ "$n" -le 301 ] || fail "42.zip: $n objects listed after max_members 300"
scan 42.zip --max-archive-bytes 8M
bounded "42.zip/max-archive-bytes" 20
has_limit 42.zip.json max_archive_bytes
# nesting deeper than max_depth
hostile deep-zip deep.zip 12
scan deep.zip
bounded deep.zip 10
has_limit deep.zip.json max_depth

# 2. One member with a huge ratio: 32 MiB of (empty) text lines in a 46-byte bzip2 member.
hostile ratio-zip ratio.zip 32 '\n'
scan ratio.zip
bounded ratio.zip 20
has_limit ratio.zip.json max_ratio max_member_size
# the member is dropped, not scanned as a silently truncated prefix
jq -e '[.limits[] | select(.location.members == ["zeros.bin"])] | length >= 1' ratio.zip.json >/dev/null ||
    fail "ratio.zip: the limit does not name the member"

# 3. Overlapping entries: 500 central-directory entries naming one 16 MiB deflated member.
# The walk streams local headers and never follows the central directory, so the overlap
# gives no amplification: at most the one real member is expanded.
hostile overlap-zip overlap.zip 500 16
scan overlap.zip
bounded overlap.zip 10
members=$(jq '[.objects[] | select(.location.members | length > 0)] | length' overlap.zip.json)
[ "$members" -le 1 ] || has_limit overlap.zip.json max_members max_archive_bytes max_ratio
bytes=$(jq '.stats.bytes' overlap.zip.json)
[ "$bytes" -le $((40 << 20)) ] || has_limit overlap.zip.json max_archive_bytes max_ratio

# 4. A tar member whose header claims 1 TB (GNU base-256 size) with 64 KiB behind it.
hostile huge-tar huge.tar
scan huge.tar
bounded huge.tar 10
jq -e '.scan.complete == false' huge.tar.json >/dev/null || fail "huge.tar: scan.complete should be false"
jq -e '[.limits[] | select(.limit == "max_member_size" and .location.members == ["claims-1TB.bin"])] | length == 1' \
    huge.tar.json >/dev/null || fail "huge.tar: no max_member_size limit names the 1 TB member: $(jq -c '[.limits,.errors]' huge.tar.json)"

# 5. 10^6 empty members, streamed through standard input (nothing large on disk).
measured many sh -c "python3 '$HOSTILE_PY' many-tar 1000000 | '$FA' scan --rules '$WORK/mini.yaml' -q --format json -o '$WORK/many.json' -"
bounded many 60
has_limit many.json max_members
n=$(jq '.objects | length' many.json)
[ "$n" -le 100001 ] || fail "many: $n objects listed (max_members 100000)"
echo "ok: archive bombs end in limits"
