#!/bin/sh
# make bench: archive members per second — faceaudit scanning tar.gz and zip archives (every
# member sniffed and run through the vendor rules) against `bsdtar -tf` only listing them.
#   BENCH_ARCHIVES=N (default 40) archives of BENCH_MEMBERS=M (default 2500) members each.
set -u
. "$(dirname "$0")/bench-lib.sh"
N=${BENCH_ARCHIVES:-40}
M=${BENCH_MEMBERS:-2500}
DIR=$(mktemp -d "${TMPDIR:-/tmp}/fa-bench-arc.XXXXXX")
trap 'rm -rf "$DIR"' EXIT
python3 - "$DIR" "$N" "$M" <<'PY'
import io, sys, tarfile, zipfile, random
d, n, m = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(7)
def member(i, j):
    if (i * m + j) % 997 == 0:
        return b"POST https://api.kairos.com/enroll 200\n"
    return ("%d,%d,%s\n" % (i, j, "x" * rnd.randint(50, 400))).encode()
for i in range(n):
    if i % 2:
        with zipfile.ZipFile("%s/a%03d.zip" % (d, i), "w", zipfile.ZIP_DEFLATED) as z:
            for j in range(m):
                z.writestr("dir%d/f%05d.log" % (j % 10, j), member(i, j))
    else:
        with tarfile.open("%s/a%03d.tar.gz" % (d, i), "w:gz") as t:
            for j in range(m):
                b = member(i, j)
                ti = tarfile.TarInfo("dir%d/f%05d.log" % (j % 10, j)); ti.size = len(b)
                t.addfile(ti, io.BytesIO(b))
PY
cat "$DIR"/a* > /dev/null
members=$((N * M))
timed "$DIR/fa.out" taskset -c 0 "$FA" scan -j 1 --format jsonl --rules "$TOP/rules/vendors.yaml" "$DIR"
fa_t=$T; fa_rss=$RSS
found=$(wc -l < "$DIR/fa.out")
t0=$(now)
for a in "$DIR"/a*; do taskset -c 0 bsdtar -tf "$a"; done > "$DIR/list.out"
t1=$(now)
listed=$(wc -l < "$DIR/list.out")
[ "$listed" -eq "$members" ] || echo "bench-archives: bsdtar listed $listed of $members members" >&2
fa_rate=$(awk -v m="$members" -v t="$fa_t" 'BEGIN { printf "%.0f", m / t }')
bt_rate=$(awk -v m="$members" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", m / (b - a) }')
row "archive members ($members in $N archives, $found findings)" "$fa_rate" "bsdtar -tf" "$bt_rate" "members/s" "$fa_rss" "RSS < 300 MiB"
