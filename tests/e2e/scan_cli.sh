# End-to-end: the scan command's contract — formats, exit codes, output files, sources.
. "$TOP/tests/lib/e2e.sh"

cat > pack.yaml <<'YAML'
id: test
version: 1.0.0
description: rules for the scan command tests
rules:
  - id: test.face-call
    kind: regex
    category: vendor_endpoint
    severity: medium
    description: a made-up face API call
    keywords: [facecheck]
    pattern: 'https?://api\.facecheck\.example/v1/match'
    examples:
      match: ["POST https://api.facecheck.example/v1/match", "http://api.facecheck.example/v1/match?x=1"]
      no_match: ["https://api.facecheck.example/v2/other", "facecheck"]
  - id: test.selfie-path
    kind: path
    category: face_image
    severity: low
    description: selfie folders
    glob: '**/selfies/**'
    examples:
      match: ["a/selfies/b.jpg", "x/selfies/y/z.png"]
      no_match: ["a/selfie.txt", "b/c.jpg"]
YAML

mkdir -p tree/logs tree/selfies tree/other
printf 'start\nnothing here\nPOST https://api.facecheck.example/v1/match 200\nend\n' > tree/logs/app.log
printf 'x' > tree/selfies/me.jpg
printf 'plain text\n' > tree/other/readme.txt

# --- json document: contract keys, objects, findings with line, complete
run "$FA" scan --rules pack.yaml --format json -o out.json tree
expect_rc 1
[ "$(stat -c %a out.json)" = 600 ] || fail "out.json mode is $(stat -c %a out.json), want 600"
jq -e '.tool.name == "faceaudit" and (.tool.rules_digest|length) == 64' out.json >/dev/null || fail "tool block"
jq -e '.scan.complete == true and .scan.targets == ["tree"] and (.scan.id|length) > 0' out.json >/dev/null || fail "scan block"
jq -e '(.objects|length) == 3 and .stats.objects == 3 and .stats.findings == 2' out.json >/dev/null || fail "counts: $(jq -c .stats out.json)"
jq -e '.findings[] | select(.rule_id == "test.face-call") | .location.line == 3 and .location.path == "tree/logs/app.log"' out.json >/dev/null || fail "line of regex finding"
jq -e '.findings[] | select(.rule_id == "test.face-call") | (.location.uri|startswith("file:///")) and (.evidence.sha256|length) == 64 and (.fingerprint|length) == 64' out.json >/dev/null || fail "uri/evidence/fingerprint"
jq -e '.objects[] | select(.location.path == "tree/logs/app.log") | .type == "text/plain" and .size == 71 and (.mtime|test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T"))' out.json >/dev/null || fail "object record"
# never the matched text
! grep -q 'facecheck.example/v1/match' out.json || fail "matched text leaked into the document"

# --- jsonl: one finding per line, same fingerprints as json
run "$FA" scan --rules pack.yaml --format jsonl tree
expect_rc 1
[ "$(wc -l < out)" -eq 2 ] || fail "jsonl lines: $(wc -l < out)"
jq -s -e 'map(.fingerprint)|sort' out > fp1
jq -e '.findings|map(.fingerprint)|sort' out.json > fp2
cmp -s fp1 fp2 || fail "jsonl and json fingerprints differ"

# --- text: grep-like lines, summary on stderr only
run "$FA" scan --rules pack.yaml tree
expect_rc 1
expect_out '^tree/logs/app.log:3: medium vendor_endpoint test.face-call '
expect_out '^tree/selfies/me.jpg: low face_image test.selfie-path '
expect_err 'objects'
! grep -q 'objects' out || fail "summary went to stdout"

# --- fail-on thresholds
run "$FA" scan --rules pack.yaml --fail-on critical tree; expect_rc 0
run "$FA" scan --rules pack.yaml --fail-on medium tree; expect_rc 1
run "$FA" scan --rules pack.yaml --fail-on none tree; expect_rc 0
run "$FA" scan --rules pack.yaml --fail-on bogus tree; expect_rc 2; expect_err 'unknown severity'
run "$FA" scan --rules pack.yaml --quiet --fail-on critical tree/other; expect_rc 0
[ ! -s err ] || fail "--quiet printed: $(cat err)"

# --- moved line keeps its fingerprint
fp_before=$(jq -r '.findings[]|select(.rule_id=="test.face-call")|.fingerprint' out.json)
printf 'new first line\n' | cat - tree/logs/app.log > t && mv t tree/logs/app.log
"$FA" scan --rules pack.yaml --format jsonl --quiet tree > moved.jsonl
jq -s -e --arg fp "$fp_before" 'map(select(.rule_id=="test.face-call")) | length == 1 and .[0].fingerprint == $fp and .[0].location.line == 4' moved.jsonl >/dev/null || fail "fingerprint changed when the line moved"

# --- usage and fatal errors exit 2
run "$FA" scan --rules pack.yaml; expect_rc 2; expect_err 'no target'
run "$FA" scan --rules pack.yaml does-not-exist; expect_rc 2; expect_err "cannot scan 'does-not-exist'"
run "$FA" scan --rules pack.yaml --format xml tree; expect_rc 2; expect_err "unknown --format 'xml'"
run "$FA" scan --rules pack.yaml --max-member-size 12Q tree; expect_rc 2; expect_err 'invalid value'
run "$FA" scan --rules pack.yaml --disable no.such.rule tree; expect_rc 2; expect_err "no rule with id 'no.such.rule'"

# --- --disable / --enable
run "$FA" scan --rules pack.yaml --format jsonl --disable test.face-call tree
[ "$(jq -s 'map(select(.rule_id=="test.face-call"))|length' out)" -eq 0 ] || fail "--disable did not disable"
run "$FA" scan --rules pack.yaml --format jsonl --enable test.face-call tree
[ "$(jq -s 'map(.rule_id)|unique' out | jq -c .)" = '["test.face-call"]' ] || fail "--enable did not restrict"

# --- output file: mode forced to 0600, never through a symlink
touch loose.json; chmod 644 loose.json
"$FA" scan --rules pack.yaml --format json -o loose.json --quiet tree; [ "$(stat -c %a loose.json)" = 600 ] || fail "existing -o file not 0600"
echo secret > target.txt; ln -s target.txt link.json
run "$FA" scan --rules pack.yaml --format json -o link.json tree; expect_rc 2; expect_err 'cannot write link.json'
[ "$(cat target.txt)" = secret ] || fail "wrote through a symlink"

# --- stdin
run sh -c "printf 'GET http://api.facecheck.example/v1/match\n' | '$FA' scan --rules pack.yaml --format jsonl -"
expect_rc 1
jq -e '.location.path == "-" and .location.line == 1' out >/dev/null || fail "stdin finding"

# --- include / exclude
run "$FA" scan --rules pack.yaml --format json --exclude logs --quiet tree
jq -e '[.objects[].location.path] | index("tree/logs/app.log") == null and length == 2' out >/dev/null || fail "--exclude logs"
run "$FA" scan --rules pack.yaml --format json --include '*.log' --quiet tree
jq -e '[.objects[].location.path] == ["tree/logs/app.log"]' out >/dev/null || fail "--include *.log: $(jq -c '[.objects[].location.path]' out)"

# --- symlinks: skipped by default; loops detected when following; FIFOs never opened
mkdir -p links/real; printf 'POST https://api.facecheck.example/v1/match\n' > links/real/f.log
ln -s .. links/real/loop
ln -s real links/alias
mkfifo links/pipe
run timeout 20 "$FA" scan --rules pack.yaml --format json --quiet links
[ "$RC" -ne 124 ] || fail "scan hung (FIFO or loop)"
jq -e '(.objects|length) == 1 and (.errors|length) == 0' out >/dev/null || fail "default walk: $(jq -c '[.objects[].location.path, .errors]' out)"
run timeout 20 "$FA" scan --rules pack.yaml --format json --follow-symlinks --fail-on-scan-errors --fail-on none links
[ "$RC" -ne 124 ] || fail "scan hung following links"
expect_rc 3
jq -e '[.errors[].code] | index("symlink_loop") != null' out >/dev/null || fail "no symlink_loop error"
jq -e '.scan.complete == false' out >/dev/null || fail "complete should be false"

# --- archives: nested members and limits
mkdir -p arc/in; printf 'POST https://api.facecheck.example/v1/match\n' > arc/in/call.log
(cd arc && zip -qr inner.zip in && tar czf outer.tgz inner.zip && rm -rf in inner.zip)
run "$FA" scan --rules pack.yaml --format json arc
expect_rc 1
jq -e '.findings[0].location.members == ["inner.zip","in/call.log"] and .findings[0].location.path == "arc/outer.tgz" and .findings[0].location.line == 1' out >/dev/null \
  || fail "nested member location: $(jq -c '.findings[0].location' out)"
expect_no_out '"errors": \[\n  {'
run "$FA" scan --rules pack.yaml --format json --max-depth 1 --fail-on-scan-errors --fail-on none arc
expect_rc 3
jq -e '.limits[0].limit == "max_depth" and .limits[0].value == 1 and .limits[0].location.members == ["inner.zip"]' out >/dev/null || fail "max_depth limit: $(jq -c .limits out)"

# --- over-long line: a limit entry, and the next lines are still scanned
{ head -c 3000000 /dev/zero | tr '\0' 'a'; printf '\nPOST https://api.facecheck.example/v1/match\n'; } > long.log
run "$FA" scan --rules pack.yaml --format json --max-line 1M long.log
expect_rc 1
jq -e '.limits[0].limit == "max_line" and .limits[0].location.line == 1' out >/dev/null || fail "max_line limit: $(jq -c .limits out)"
jq -e '.findings[0].location.line == 2' out >/dev/null || fail "line after the long line not scanned"

# --- help and version
run "$FA" scan --help; expect_rc 0; expect_out '--fail-on-scan-errors'
run "$FA" help scan; expect_rc 0; expect_out 'usage: faceaudit scan'
run "$FA" --version; expect_rc 0; expect_out '^faceaudit [0-9]'
run "$FA" frobnicate; expect_rc 2; expect_err 'not a faceaudit command'
echo "scan_cli: all assertions passed"
