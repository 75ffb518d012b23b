#!/bin/sh
# regex rules on logs through the CLI: line numbers and offsets in plain and gzip'd logs,
# vendor evidence groups, no biometric content in any output, and a catastrophic pattern
# that ends in a regex_limit error while the scan goes on.
. "$TOP/tests/lib/e2e.sh"
command -v jq >/dev/null || skip "jq missing"
command -v gzip >/dev/null || skip "gzip missing"

cat >pack.yaml <<'EOF'
id: e2e
version: 1.0.0
description: regex e2e pack
rules:
  - id: e2e.vendor
    kind: regex
    category: vendor_endpoint
    severity: medium
    description: A face API call.
    keywords: [faceapi]
    examples: {match: ["https://eu.faceapi.example/v1/detect"], no_match: ["https://faceapi.example.org/docs", "nothing"]}
    pattern: '\b(?<scheme>https?)://(?<host>[a-z]+\.faceapi\.example)/v1/(?<op>detect|enroll)\b'
    case_insensitive: true
    group: host
    evidence_groups: [host, op]
    metadata: {vendor: "Example FaceAPI"}
  - id: e2e.embedding
    kind: regex
    category: face_template
    severity: high
    description: A face embedding in a JSON log.
    keywords: ['"face_vec"']
    examples: {match: ['"face_vec": [0.5, 0.25]'], no_match: ['"face_vec": []', "x"]}
    pattern: '"face_vec"\s*:\s*\[(?<v>[-0-9.eE, ]+)\]'
    group: v
EOF

{
    i=1
    while [ $i -le 3000 ]; do
        echo "{\"ts\":\"2025-11-26T10:00:00Z\",\"level\":\"info\",\"msg\":\"request $i\",\"path\":\"/api/v1/items/$i\"}"
        i=$((i + 1))
    done
} >filler.txt
{
    cat filler.txt
    echo '{"msg":"calling","url":"https://eu.faceapi.example/v1/detect?x=1"}'            # line 3001
    cat filler.txt
    echo '{"user":7,"face_vec": [0.918273, -0.127364, 0.554433]}'                         # line 6002
    echo 'POST HTTPS://US.FACEAPI.EXAMPLE/v1/ENROLL and docs https://faceapi.example.org/' # line 6003
} >app.log
gzip -c app.log >app.log.gz

run "$FA" scan --format jsonl --rules pack.yaml app.log app.log.gz
expect_rc 1
[ "$(wc -l <out)" -eq 6 ] || fail "expected 6 findings, got $(wc -l <out)"
for f in app.log app.log.gz; do
    got=$(jq -r --arg p "$f" 'select(.location.path == $p) | "\(.rule_id):\(.location.line)"' out | tr '\n' ' ')
    [ "$got" = "e2e.vendor:3001 e2e.embedding:6002 e2e.vendor:6003 " ] || fail "$f: findings $got"
done
# offsets are byte offsets in the (decompressed) object; length is the match length
off=$(jq -r 'select(.location.path == "app.log" and .location.line == 3001) | .location.offset' out)
want=$(( $(head -n 3000 app.log | wc -c) + $(printf '%s' '{"msg":"calling","url":"' | wc -c) ))
[ "$off" = "$want" ] || fail "offset $off, want $want"
[ "$(jq -r 'select(.location.line == 3001) | .location.length' out | sort -u)" = 36 ] || fail "length"
jq -e -s 'map(select(.rule_id == "e2e.vendor")) | map(.evidence.host) | sort
          == ["US.FACEAPI.EXAMPLE", "US.FACEAPI.EXAMPLE", "eu.faceapi.example", "eu.faceapi.example"]' out >/dev/null \
    || fail "vendor evidence hosts"
[ "$(jq -r 'select(.location.line == 3001 and .location.path == "app.log") | .message' out)" = \
  "call to Example FaceAPI (eu.faceapi.example, detect)" ] || fail "vendor message"
# evidence.sha256 of the embedding rule is over the vector text; the vector itself is nowhere
want=$(printf '%s' '0.918273, -0.127364, 0.554433' | sha256sum | cut -d' ' -f1)
jq -e -s --arg h "$want" 'map(select(.rule_id == "e2e.embedding")) | length == 2 and all(.evidence.sha256 == $h)' \
    out >/dev/null || fail "embedding sha256"
run "$FA" scan --format json --rules pack.yaml app.log app.log.gz
expect_rc 1
! grep -q '918273\|127364' out || fail "embedding values in the scan document"
run "$FA" scan --format text --rules pack.yaml app.log
! grep -q '918273\|127364' out err || fail "embedding values in text output"

# A catastrophic pattern: bounded, recorded once per object and rule, other rules go on.
cat >evil.yaml <<'EOF'
id: evil
version: 1.0.0
description: catastrophic backtracking
rules:
  - id: evil.nested
    kind: regex
    category: biometric_metadata
    severity: low
    description: Nested quantifiers.
    keywords: [aaaa]
    examples: {match: ["aaaa"], no_match: ["b", "c"]}
    pattern: '(a+)+$'
  - id: evil.fine
    kind: regex
    category: biometric_metadata
    severity: low
    description: A person tag.
    keywords: [person]
    examples: {match: ["person=x"], no_match: ["b", "c"]}
    pattern: 'person=\w+'
EOF
a=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
printf '%sb person=1\n%sb person=2\nperson=3\n' "$a" "$a" >evil.log
run timeout 60 "$FA" scan --format json --rules evil.yaml --fail-on none --fail-on-scan-errors evil.log
expect_rc 3
jq -e '[.errors[] | select(.code == "regex_limit")] | length == 1' out >/dev/null || fail "one regex_limit error"
jq -e '.errors[0].location.line == 1' out >/dev/null || fail "regex_limit line"
jq -e '[.findings[] | select(.rule_id == "evil.fine")] | length == 3' out >/dev/null || fail "scan did not go on"
! grep -q "$a" out || fail "content in the error message"
exit 0
