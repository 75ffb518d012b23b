# End-to-end: CI-grade output — SARIF validated by Microsoft's validator, CSV, colour,
# baselines, .faceauditignore, faceaudit.yaml, exit codes.
. "$TOP/tests/lib/e2e.sh"
VALIDATOR="$TOP/tests/node_modules/.bin/sarif-multitool"
[ -x "$VALIDATOR" ] || fail "SARIF validator missing: run make deps"

cat > pack.yaml <<'YAML'
id: citest
version: 1.0.0
description: rules for the CI output tests
rules:
  - id: ci.face-call
    kind: regex
    category: vendor_endpoint
    severity: high
    description: A made-up face API call. Used by the tests.
    keywords: [facecheck]
    pattern: 'https?://api\.facecheck\.example/v1/match'
    tags: [test]
    examples:
      match: ["POST https://api.facecheck.example/v1/match", "http://api.facecheck.example/v1/match?x=1"]
      no_match: ["https://api.facecheck.example/v2/other", "facecheck"]
  - id: ci.selfie-path
    kind: path
    category: face_image
    severity: low
    description: Selfie folders.
    glob: '**/selfies/**'
    examples:
      match: ["a/selfies/b.jpg", "x/selfies/y/z.png"]
      no_match: ["a/selfie.txt", "b/c.jpg"]
YAML
mkdir -p repo/logs repo/selfies repo/vendor
printf 'boot\nPOST https://api.facecheck.example/v1/match\n' > repo/logs/app.log
printf 'x' > repo/selfies/a.jpg
printf 'x' > repo/selfies/b.jpg
printf 'GET http://api.facecheck.example/v1/match\n' > repo/vendor/lib.log
mkdir -p arc/in && printf 'POST https://api.facecheck.example/v1/match\n' > arc/in/c.log && (cd arc && zip -qr ../repo/bundle.zip in) && rm -rf arc

# --- SARIF: valid, complete, no content
run "$FA" scan --rules pack.yaml --format sarif -o out.sarif repo
expect_rc 1
[ "$(stat -c %a out.sarif)" = 600 ] || fail "sarif file mode"
"$VALIDATOR" validate out.sarif -o validation.sarif > validator.txt 2>&1 || { cat validator.txt; fail "validator failed to run"; }
# A result without "level" is a warning (SARIF's default level).
errors=$(jq '[.runs[].results[] | select(.level == "error")] | length' validation.sarif)
[ "$errors" -eq 0 ] || { jq -c '.runs[].results[] | .message' validation.sarif; fail "SARIF validator: $errors errors"; }
# The one warning allowed: SARIF2017 (no region) on a whole-file finding, where faceaudit has
# no line to give and does not invent one. Every other warning fails the test.
jq -n -e --slurpfile v validation.sarif --slurpfile o out.sarif '
  [$v[0].runs[].results[] | select((.level // "warning") == "warning")] as $w
  | ($w | length) > 0
  and all($w[]; .ruleId == "SARIF2017"
      and (.message.arguments[0] | capture("^runs\\[0\\]\\.results\\[(?<i>[0-9]+)\\]") | .i | tonumber) as $i
      | $o[0].runs[0].results[$i].locations[0].physicalLocation.region == null)' >/dev/null ||
    { jq -c '.runs[].results[] | [.ruleId, .level, .message.arguments]' validation.sarif; fail "SARIF validator: warnings other than SARIF2017 on whole-file findings"; }
jq -e '.version == "2.1.0" and .runs[0].tool.driver.name == "faceaudit" and (.runs[0].tool.driver.rules|length) == 2' out.sarif >/dev/null || fail "driver"
jq -e '.runs[0].tool.driver.rules[0] | .shortDescription.text and .fullDescription.text and .help.text and .defaultConfiguration.level == "error" and .properties.category == "vendor_endpoint"' out.sarif >/dev/null || fail "rule metadata"
jq -e '[.runs[0].results[] | .ruleIndex as $i | .ruleId == $i as $x | $i] | length == 5' out.sarif >/dev/null || fail "5 results expected: $(jq '.runs[0].results|length' out.sarif)"
jq -e '.runs[0] as $r | all($r.results[]; $r.tool.driver.rules[.ruleIndex].id == .ruleId)' out.sarif >/dev/null || fail "ruleIndex does not point at ruleId"
jq -e 'all(.runs[0].results[]; (.partialFingerprints["faceaudit/v1"]|length) == 64)' out.sarif >/dev/null || fail "partialFingerprints"
jq -e '[.runs[0].results[] | select(.ruleId == "ci.selfie-path") | .locations[0].physicalLocation.region] | all(. == null)' out.sarif >/dev/null || fail "region on a path finding"
jq -e '.runs[0].results[] | select(.locations[0].physicalLocation.artifactLocation.uri == "repo/logs/app.log") | .locations[0].physicalLocation.region.startLine == 2 and .locations[0].physicalLocation.artifactLocation.uriBaseId == "SRCROOT"' out.sarif >/dev/null || fail "file result location"
jq -e '.runs[0].results[] | select(.locations[0].physicalLocation.artifactLocation.uri == "repo/bundle.zip!in/c.log") | .locations[0].logicalLocations[0].fullyQualifiedName == "repo/bundle.zip!in/c.log"' out.sarif >/dev/null || fail "archive member location"
jq -e '.runs[0].invocations[0].exitCode == 1 and .runs[0].invocations[0].executionSuccessful == true' out.sarif >/dev/null || fail "invocation"
! grep -q 'facecheck.example/v1/match' out.sarif || fail "matched text in SARIF"

# scan errors become toolExecutionNotifications; the file still validates
printf 'PK\003\004garbage-not-a-zip' > repo/broken.zip
run "$FA" scan --rules pack.yaml --format sarif -o err.sarif --fail-on none --fail-on-scan-errors repo
expect_rc 3
jq -e '.runs[0].invocations[0].exitCode == 3 and (.runs[0].invocations[0].toolExecutionNotifications|length) >= 1' err.sarif >/dev/null || fail "notifications: $(jq -c .runs[0].invocations err.sarif)"
"$VALIDATOR" validate err.sarif -o v2.sarif >/dev/null 2>&1
[ "$(jq '[.runs[].results[] | select(.level == "error")] | length' v2.sarif)" -eq 0 ] || fail "SARIF with notifications invalid"
rm repo/broken.zip

# --- CSV: header, one row per finding, spreadsheet formulas neutralised
mkdir -p csvt/selfies && printf 'x' > 'csvt/selfies/=HYPERLINK("x").jpg'
run "$FA" scan --rules pack.yaml --format csv repo csvt
expect_rc 1
head -1 out | grep -q '^rule_id,category,severity,confidence,path,members,line,message,sha256,fingerprint' || fail "csv header"
[ "$(wc -l < out)" -eq 7 ] || fail "csv rows: $(wc -l < out)"
grep -q '"csvt/selfies/=HYPERLINK(""x"").jpg"' out || fail "csv quoting"
grep -q ',"'"'"'=' out && fail "path cell should not need a formula guard here"
printf 'x' > 'csvt/selfies/x.jpg'; mkdir -p '=cmd' && mkdir -p '=cmd/selfies' && printf x > '=cmd/selfies/a.jpg'
run "$FA" scan --rules pack.yaml --format csv '=cmd'
grep -q "\"'=cmd/selfies/a.jpg\"" out || { cat out; fail "formula cell not guarded"; }

# control bytes and invalid UTF-8 in names are escaped, never written raw
mkdir -p esc/selfies && printf x > "esc/selfies/a$(printf '\033')[31m$(printf '\377').jpg"
run "$FA" scan --rules pack.yaml --format csv esc
grep -q 'esc/selfies/a\\x1B\[31m\\xFF.jpg' out || { cat -v out; fail "csv did not escape ESC and invalid UTF-8"; }
! grep -q "$(printf '\033')" out || fail "raw ESC in csv"

# --- colour: never by default into a pipe or with NO_COLOR; always on request
run "$FA" scan --rules pack.yaml repo; ! grep -q "$(printf '\033')" out || fail "colour into a pipe"
run "$FA" scan --rules pack.yaml --color=always repo; grep -q "$(printf '\033')\[" out || fail "--color=always had no colour"
run env NO_COLOR=1 "$FA" scan --rules pack.yaml repo; ! grep -q "$(printf '\033')" out || fail "NO_COLOR ignored"
run "$FA" scan --rules pack.yaml --color=sometimes repo; expect_rc 2
# summary table on stderr, by category and severity
run "$FA" scan --rules pack.yaml repo
expect_err 'category'
grep -q 'vendor_endpoint *0 *3 *0 *0 *0' err || { cat err; fail "summary table row"; }

# --- baselines: the same scan is quiet; a moved line stays suppressed; new findings show
run "$FA" scan --rules pack.yaml --write-baseline base.json --format jsonl repo
expect_rc 1
[ "$(stat -c %a base.json)" = 600 ] || fail "baseline mode"
run "$FA" scan --rules pack.yaml --baseline base.json --format jsonl repo
expect_rc 0
[ ! -s out ] || fail "baseline did not suppress: $(cat out)"
expect_err '5 suppressed'
printf 'one\ntwo\nthree\n' | cat - repo/logs/app.log > t && mv t repo/logs/app.log
printf 'x' > repo/selfies/new.jpg
run "$FA" scan --rules pack.yaml --baseline base.json --format jsonl repo
expect_rc 1
[ "$(wc -l < out)" -eq 1 ] && jq -e '.location.path == "repo/selfies/new.jpg"' out >/dev/null || fail "only the new finding should show: $(cat out)"
# JSON lines output works as a baseline too
"$FA" scan --rules pack.yaml --format jsonl --quiet repo > base.jsonl
run "$FA" scan --rules pack.yaml --baseline base.jsonl repo; expect_rc 0
printf '{"rule_id": 3}\n' > bad.jsonl
run "$FA" scan --rules pack.yaml --baseline bad.jsonl repo; expect_rc 2; expect_err 'bad.jsonl:1:'

# --- .faceauditignore: paths (gitignore syntax) and fingerprints
fp=$("$FA" scan --rules pack.yaml --format jsonl --quiet repo | jq -r 'select(.location.path=="repo/selfies/a.jpg") | .fingerprint')
cat > repo/.faceauditignore <<IGN
# vendored code is not ours
vendor/
selfies/*.jpg
!selfies/new.jpg
$fp
IGN
run "$FA" scan --rules pack.yaml --format jsonl repo
jq -s -e 'map(.location.path) | sort == ["repo/bundle.zip","repo/logs/app.log","repo/selfies/new.jpg"]' out >/dev/null || fail "ignore file: $(jq -s -c 'map(.location.path)' out)"
# Files named on the command line, as the pre-commit hook passes staged files: the ignore file
# of the current folder applies, matched on the path relative to it (also as ./x or /abs/x),
# as git reads a root .gitignore; a pattern on a parent folder covers the file.
( cd repo && run "$FA" scan --rules ../pack.yaml --format jsonl vendor/lib.log selfies/a.jpg ./selfies/new.jpg "$WORK/repo/logs/app.log"
  jq -s -e 'map(.location.path) | sort == ["./selfies/new.jpg", "'"$WORK"'/repo/logs/app.log"]' "$WORK/out" >/dev/null ) ||
    fail "ignore file with file targets: $(jq -s -c 'map(.location.path)' out)"
( cd repo && run "$FA" scan --rules ../pack.yaml --exclude 'logs/*.log' --format jsonl logs/app.log
  [ "$RC" = 0 ] && jq -s -e 'length == 0' "$WORK/out" >/dev/null ) || fail "--exclude with a file target: $(cat out err)"
# ... but not when another folder is a target too: the current folder's patterns are relative
# to it, so they must not reach into that folder (selfies/*.jpg would hide repo2/selfies/a.jpg)
mkdir -p repo2/selfies && cp repo/selfies/a.jpg repo2/selfies/a.jpg
( cd repo && run "$FA" scan --rules ../pack.yaml --format jsonl logs/app.log ../repo2
  jq -s -e 'map(.location.path) | index("../repo2/selfies/a.jpg") != null' "$WORK/out" >/dev/null ) ||
    fail "the current folder's ignore file reached into a folder target: $(jq -s -c 'map(.location.path)' out)"
# --exclude naming a parent folder of a file named on the command line skips it
( cd repo && run "$FA" scan --rules ../pack.yaml --exclude vendor --format jsonl vendor/lib.log
  [ "$RC" = 0 ] && jq -s -e 'length == 0' "$WORK/out" >/dev/null ) || fail "--exclude vendor with vendor/lib.log: $(cat out err)"
rm -rf repo2
rm repo/.faceauditignore
printf '%s\n' "$fp" > only-fp.ignore
run "$FA" scan --rules pack.yaml --ignore-file only-fp.ignore --format jsonl repo
jq -s -e 'map(.location.path) | index("repo/selfies/a.jpg") == null and length == 5' out >/dev/null || fail "fingerprint suppression: $(jq -s -c 'map(.location.path)' out)"
run "$FA" scan --rules pack.yaml --ignore-file missing.ignore repo; expect_rc 2; expect_err 'missing.ignore'

# --- faceaudit.yaml: defaults for the scan; the command line wins; unknown keys are errors
cat > faceaudit.yaml <<YAML
rules: [pack.yaml]
format: jsonl
fail_on: critical
exclude:
  - vendor
YAML
run "$FA" scan repo
expect_rc 0
jq -s -e 'length == 5 and (map(.location.path) | index("repo/vendor/lib.log") == null)' out >/dev/null || fail "config not applied: $(cat out | head -3)"
run "$FA" scan --fail-on high --format json repo
expect_rc 1
jq -e '.findings | length == 5' out >/dev/null || fail "command line did not win over config"
printf 'rules: [pack.yaml]\nfail-on: low\nmax_depth: 0\n' > faceaudit.yaml
run "$FA" scan --format json --fail-on none repo
jq -e '.limits[0].limit == "max_depth"' out >/dev/null || fail "limit from config"
printf 'rules: [pack.yaml]\ncolour: always\n' > faceaudit.yaml
run "$FA" scan repo; expect_rc 2; expect_err "faceaudit.yaml:2:1: unknown key 'colour'"
printf 'rules: [pack.yaml]\nfail_on: sometimes\n' > other.yaml
run "$FA" scan --config other.yaml repo; expect_rc 2; expect_err 'other.yaml:2:10: --fail-on: unknown severity'
rm faceaudit.yaml
# --- the progress line: on a terminal only (script(1) gives the scan one), never with --quiet
if command -v script >/dev/null; then
    script -qec "\"$FA\" scan --rules pack.yaml -o /dev/null repo" /dev/null > tty.out 2>&1
    tr '\r' '\n' < tty.out | grep -Eq '^.*[0-9]+ objects, [0-9.]+ MB, [0-9]+ findings, [0-9]+ objects/s, [0-9.]+ MB/s: .*repo' ||
        fail "no progress line on a terminal: $(head -c 300 tty.out)"
    script -qec "\"$FA\" scan --quiet --rules pack.yaml -o /dev/null repo" /dev/null > tty.out 2>&1
    ! grep -q 'objects/s' tty.out || fail "progress line despite --quiet"
    run "$FA" scan --rules pack.yaml -o /dev/null repo
    ! grep -q 'objects/s' err || fail "progress line when standard error is not a terminal"
fi
echo "ci_output: all assertions passed"
