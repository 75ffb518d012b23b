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
run "$FA" merge all.json s1.json s2.json s3.json
expect_rc 0
[ "$(stat -c %a all.json)" = 600 ] || fail "merge output mode"
norm() { jq -S '{objects: (.objects|sort_by(.location.path, .location.members)), findings: (.findings|sort_by(.location.path, .location.members, .location.line, .rule_id)), errors, limits}' "$1"; }
norm all.json > merged.norm
norm j1.json > full.norm
cmp -s merged.norm full.norm || { diff merged.norm full.norm | head; fail "merged shards differ from the full scan"; }
jq -e '.stats.objects == (.objects|length) and .stats.findings == 74 and .scan.complete == false' all.json >/dev/null || fail "merged stats"
# merging a document twice does not double it
"$FA" merge twice.json s1.json s1.json
[ "$(jq '.findings|length' twice.json)" -eq "$(jq '.findings|length' s1.json)" ] || fail "merge does not dedupe"
# different rules cannot be merged; bad documents name file:line
sed 's/par.call/par.call2/' pack.yaml > pack2.yaml
"$FA" scan --rules pack2.yaml --format json -o other.json --quiet tree
run "$FA" merge x.json s1.json other.json; expect_rc 2; expect_err 'rules_digest differs'
printf '{"objects": [}\n' > bad.json
run "$FA" merge x.json s1.json bad.json; expect_rc 2; expect_err 'bad.json:1:'
run "$FA" scan --rules pack.yaml --shard 4/3 tree; expect_rc 2; expect_err 'K/N'
run "$FA" scan --rules pack.yaml -j 0 tree; expect_rc 2
echo "parallel: all assertions passed"
