# End-to-end: -j N gives the same document as -j 1 (same order), and three shards merged
# equal a single full scan.
. "$TOP/tests/lib/e2e.sh"
cat > pack.yaml <<'YAML'
id: par
version: 1.0.0
description: rules for the parallel tests
rules:
  - id: par.call
    kind: regex
    category: vendor_endpoint
    severity: medium
    description: a made-up face API call
    keywords: [facecheck]
    pattern: 'https?://api\.facecheck\.example/v1/(match|enroll)'
    examples:
      match: ["https://api.facecheck.example/v1/match", "http://api.facecheck.example/v1/enroll"]
      no_match: ["https://api.facecheck.example/v2/match", "facecheck"]
  - id: par.faces-dir
    kind: path
    category: face_image
    severity: low
    description: faces folders
    glob: '**/faces/**'
    examples:
      match: ["a/faces/b.jpg", "faces/x.png"]
      no_match: ["a/face.txt", "b/c.jpg"]
YAML
i=0
while [ $i -lt 60 ]; do
    d=tree/d$((i % 7))/sub$((i % 3))
    mkdir -p "$d" tree/faces
    printf 'line one\nPOST https://api.facecheck.example/v1/match id=%d\nline three\n' $i > "$d/app$i.log"
    [ $((i % 5)) -eq 0 ] && printf 'x%d' $i > "tree/faces/p$i.jpg"
    i=$((i + 1))
done
mkdir -p z/in && printf 'GET http://api.facecheck.example/v1/enroll\n' > z/in/a.log && printf 'x' > z/in/b.txt
(cd z && zip -qr ../tree/d1/bundle.zip in && tar czf ../tree/d2/bundle.tgz in)
printf 'PK\003\004broken' > tree/d3/broken.zip

strip() { jq -S '{objects, findings, errors, limits}' "$1"; }
for j in 1 2 4; do
    "$FA" scan --rules pack.yaml --format json -o "j$j.json" --quiet -j $j tree; rc=$?
    [ $rc -eq 1 ] || fail "-j $j exit $rc"
    strip "j$j.json" > "j$j.norm"
done
cmp -s j1.norm j2.norm || { diff j1.norm j2.norm | head -20; fail "-j 2 differs from -j 1"; }
cmp -s j1.norm j4.norm || fail "-j 4 differs from -j 1"
[ "$(jq '.findings|length' j1.json)" -eq 74 ] || fail "findings: $(jq '.findings|length' j1.json)"
jq -e '[.errors[].code] == ["corrupt_archive"]' j1.json >/dev/null || fail "errors: $(jq -c '[.errors[].code]' j1.json)"
# objects come in walk order: sorted paths
jq -e '[.objects[] | select(.location.members == []) | .location.path] as $p | $p == ($p | sort)' j1.json >/dev/null || fail "objects not in path order"

# shards: disjoint, complete, merge == full scan
for k in 1 2 3; do
    "$FA" scan --rules pack.yaml --format json -o "s$k.json" --quiet --shard $k/3 tree
done
for k in 1 2 3; do jq -r '.objects[] | select(.location.members==[]) | .location.path' "s$k.json"; done | sort > shard-paths
jq -r '.objects[] | select(.location.members==[]) | .location.path' j1.json | sort > full-paths
cmp -s shard-paths full-paths || fail "shards do not cover the tree exactly once"
[ "$(uniq -d shard-paths | wc -l)" -eq 0 ] || fail "an object is in two shards"
for k in 1 2 3; do [ "$(jq '.objects|length' s$k.json)" -gt 0 ] || fail "shard $k is empty"; done
for k in 1 2 3; do
    jq -e --argjson k $k '.scan.shard == {index: $k, count: 3}' "s$k.json" >/dev/null || fail "shard $k: scan.shard $(jq -c .scan.shard "s$k.json")"
done
jq -e '.scan | has("shard") | not' j1.json >/dev/null || fail "an unsharded scan has scan.shard"
# the merge is in the scan's own order: equal to the full scan once run-specific fields go
# (no sorting of either side); the order of the arguments does not matter
run "$FA" merge all.json s3.json s1.json s2.json
expect_rc 0
[ "$(stat -c %a all.json)" = 600 ] || fail "merge output mode"
runfree() { jq 'del(.scan.id, .scan.started_at, .scan.finished_at, .scan.shard, .stats.seconds, .stats.merged_documents)' "$1"; }
runfree all.json > merged.norm
runfree j1.json > full.norm
cmp -s merged.norm full.norm || { diff merged.norm full.norm | head -30; fail "merged shards differ from the full scan"; }
jq -e '.stats.objects == (.objects|length) and .stats.findings == 74 and .stats.errors == 1 and .stats.merged_documents == 3 and .scan.complete == false' all.json >/dev/null || fail "merged stats: $(jq -c .stats all.json)"
jq -e --slurpfile f j1.json '(.stats | keys - ["merged_documents"]) == ($f[0].stats | keys)' all.json >/dev/null || fail "merged stats keys: $(jq -c '.stats|keys' all.json)"

# walk order is per folder ("o/a/x" before "o/a.log"), findings by line within a file (not by
# fingerprint), members in archive order, targets in the order given; no errors here, so
# all shards merged are complete, and a missing or repeated shard is not
mkdir -p o/a o/a-b/c o/zz
i=0
while [ $i -lt 12 ]; do
    printf 'GET https://api.facecheck.example/v1/match n=%d\n' $i >> o/a.log
    printf 'x\nPOST http://api.facecheck.example/v1/enroll k=%d\n' $i > "o/a/x$i.log"
    printf 'https://api.facecheck.example/v1/match %d\n' $i > "o/a-b/c/$i.txt"
    printf 'https://api.facecheck.example/v1/enroll %d\n' $i > "o/zz/$i.log"
    i=$((i + 1))
done
mkdir -p zm && printf 'https://api.facecheck.example/v1/match\n%.0s' 1 2 3 > zm/z.log && cp zm/z.log zm/b.log
(cd zm && zip -q ../o/m.zip z.log b.log)
"$FA" scan --rules pack.yaml --format json -o ofull.json --quiet o tree/d4
jq -e '.scan.complete' ofull.json >/dev/null || fail "the order fixture has errors: $(jq -c .errors ofull.json)"
jq -e '[.findings[] | select(.location.path == "o/a.log") | .location.line] == [range(1; 13)]' ofull.json >/dev/null ||
    fail "scan findings not by line: $(jq -c '[.findings[] | select(.location.path == "o/a.log") | .location.line]' ofull.json)"
for k in 1 2 3; do "$FA" scan --rules pack.yaml --format json -o "o$k.json" --quiet --shard $k/3 o tree/d4; done
for k in 1 2 3; do [ "$(jq '.objects|length' o$k.json)" -gt 0 ] || fail "order shard $k is empty"; done
run "$FA" merge oall.json o2.json o3.json o1.json
expect_rc 0
[ ! -s err ] || fail "merge of all shards warns: $(cat err)"
runfree oall.json > oall.norm
runfree ofull.json > ofull.norm
cmp -s oall.norm ofull.norm || { diff oall.norm ofull.norm | head -30; fail "merged shards (two targets) differ from the full scan"; }
jq -e '.scan.complete == true and .scan.targets == ["o", "tree/d4"] and (.scan | has("shard") | not)' oall.json >/dev/null || fail "merged scan: $(jq -c .scan oall.json)"

# 2 of 3 shards: not complete, and the missing one is named
run "$FA" merge part.json o1.json o3.json
expect_rc 0; expect_err 'missing shard 2 of 3'
jq -e '.scan.complete == false' part.json >/dev/null || fail "2 of 3 shards merged as complete"
# a shard twice: deduplicated, not complete
run "$FA" merge twice.json o1.json o1.json o2.json o3.json
expect_rc 0; expect_err 'shard 1 of 3 given more than once'
jq -e '.scan.complete == false' twice.json >/dev/null || fail "a repeated shard merged as complete"
runfree twice.json | jq 'del(.stats.read_bytes, .scan.complete)' > twice.norm
runfree ofull.json | jq 'del(.stats.read_bytes, .scan.complete)' > ofull2.norm
cmp -s twice.norm ofull2.norm || { diff twice.norm ofull2.norm | head; fail "merge does not dedupe"; }
# shards of another N, or of other targets, are not parts of the same scan
"$FA" scan --rules pack.yaml --format json -o h1.json --quiet --shard 1/2 o tree/d4
run "$FA" merge x.json h1.json o2.json o3.json
expect_rc 0; expect_err 'not parts of one scan'
jq -e '.scan.complete == false' x.json >/dev/null || fail "mixed shard counts merged as complete"
"$FA" scan --rules pack.yaml --format json -o t1.json --quiet --shard 1/3 o
run "$FA" merge x.json t1.json o2.json o3.json
expect_rc 0; expect_err 'scanned other targets'
jq -e '.scan.complete == false' x.json >/dev/null || fail "shards of other targets merged as complete"
# sharded and unsharded together: a warning
run "$FA" merge x.json o1.json o2.json o3.json ofull.json
expect_rc 0; expect_err 'mixing sharded'
# different rules cannot be merged; bad documents name file:line; a missing one its errno
sed 's/par.call/par.call2/' pack.yaml > pack2.yaml
"$FA" scan --rules pack2.yaml --format json -o other.json --quiet tree
run "$FA" merge x.json s1.json other.json; expect_rc 2; expect_err 'rules_digest differs'
printf '{"objects": [}\n' > bad.json
run "$FA" merge x.json s1.json bad.json; expect_rc 2; expect_err 'bad.json:1:'
run "$FA" merge x.json s1.json nonexist.json; expect_rc 2; expect_err 'nonexist.json: No such file or directory'
! grep -q -- '-1' err || fail "merge error has line -1: $(cat err)"
run "$FA" scan --rules pack.yaml --shard 4/3 tree; expect_rc 2; expect_err 'K/N'
run "$FA" scan --rules pack.yaml -j 0 tree; expect_rc 2
echo "parallel: all assertions passed"
