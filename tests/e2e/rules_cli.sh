#!/bin/sh
# faceaudit rules list|test|lint: exact loader messages and exit statuses, examples run
# through the real scanner (passing and failing), lint warnings. Fixtures are generated.
. "$TOP/tests/lib/e2e.sh"

mkdir -p packs bad
cat >packs/paths.yaml <<'Y'
id: t-paths
version: 1.0.0
description: test pack
rules:
  - id: t.path.lfw
    kind: path
    category: face_image
    severity: high
    description: The LFW face data set layout.
    glob: '**/lfw/**'
    examples:
      match: [lfw/George_W_Bush/0001.jpg, data/lfw/a.jpg]
      no_match: [data/lfwx/a.jpg, docs/readme.md]
  - id: t.path.npy
    kind: path
    category: face_template
    severity: medium
    description: Face embedding dumps.
    pattern: '(?i)(^|/)face_?embeddings?\.npy$'
    match_on: path
    examples:
      match: [out/face_embeddings.npy, FaceEmbedding.npy]
      no_match: [out/embeddings.npy, out/face_embeddings.npy.txt]
Y
cat >packs/text.yaml <<'Y'
id: t-text
version: 1.0.0
rules:
  - id: t.regex.kairos
    kind: regex
    category: vendor_endpoint
    severity: medium
    description: Kairos face API calls.
    keywords: [kairos]
    pattern: 'https://api\.kairos\.com/(?:enroll|recognize)\b'
    examples:
      match: ["POST https://api.kairos.com/enroll HTTP/1.1", "file:calls.log"]
      no_match: ["GET https://www.kairos.com/docs", "plain words"]
Y
printf 'x\ncurl -X POST https://api.kairos.com/recognize -d @a.json\n' >packs/calls.log

# --- list ---
run "$FA" rules list --rules packs
expect_rc 0
expect_out '^ID  *KIND  *CATEGORY  *SEVERITY  *PACK  *DESCRIPTION$'
expect_out '^t.path.lfw  *path  *face_image  *high  *t-paths  *The LFW face data set layout.$'
expect_out '^t.regex.kairos  *regex  *vendor_endpoint  *medium  *t-text  *Kairos face API calls.$'
[ "$(wc -l <out)" -eq 4 ] || fail "list: expected a header and 3 rules"
run "$FA" rules list --rules packs/paths.yaml --format json
expect_rc 0
[ "$(jq -r '.rules | length' out)" = 2 ] || fail "json: rule count"
[ "$(jq -r '.rules[1] | "\(.id) \(.kind) \(.category) \(.severity) \(.pack)"' out)" = \
  "t.path.npy path face_template medium t-paths" ] || fail "json: rule fields"
want=$(sha256sum <packs/paths.yaml | cut -d' ' -f1)
[ "$(jq -r .rules_digest out)" = "$want" ] || fail "json: rules_digest is not the pack's sha256"
run "$FA" rules list --rules packs --format xml
expect_rc 2
# FACEAUDIT_RULES is the default when no --rules is given
FACEAUDIT_RULES=packs/text.yaml run "$FA" rules list
expect_rc 0
expect_out '^t.regex.kairos '
expect_no_out 't.path.lfw'

# --- malformed packs: exactly file:line:col: message, exit 2 ---
printf 'id: b\nversion: 1\nrules:\n  - id: b.one\n    kind: path\n    category: face_image\n    severity: urgent\n' >bad/sev.yaml
run "$FA" rules list --rules bad/sev.yaml
expect_rc 2
[ "$(cat err)" = "bad/sev.yaml:7:15: unknown severity 'urgent' (expected info, low, medium, high or critical)" ] \
    || fail "severity message: $(cat err)"
[ ! -s out ] || fail "nothing on stdout for a bad pack"
printf 'id: b\nversion: 1\nrules:\n  - id: b.one\n    kind: psychic\n' >bad/kind.yaml
run "$FA" rules test --rules bad/kind.yaml
expect_rc 2
# (more kinds are appended to the known list over time: match its stable start)
case "$(cat err)" in
    "bad/kind.yaml:5:11: unknown kind 'psychic' (known: regex, path"*")") ;;
    *) fail "kind message: $(cat err)" ;;
esac
printf 'id: b\nversion: 1\nrules: [\n' >bad/syntax.yaml
run "$FA" rules lint bad/syntax.yaml
expect_rc 2
expect_err '^bad/syntax.yaml:4:1: '
sed 's/    glob:/    glob:/; s/^    match_on: path$/    match_on: path\n    colour: red/' packs/paths.yaml >bad/key.yaml
run "$FA" rules list --rules bad/key.yaml
expect_rc 2
[ "$(cat err)" = "bad/key.yaml:21:5: unknown key 'colour' for a rule of kind 'path'" ] || fail "unknown key: $(cat err)"
# duplicate id across packs
sed 's/^id: t-paths/id: t-other/' packs/paths.yaml >bad/dup.yaml
run "$FA" rules list --rules packs/paths.yaml --rules bad/dup.yaml
expect_rc 2
[ "$(cat err)" = "bad/dup.yaml:5:9: duplicate rule id 't.path.lfw' (first at packs/paths.yaml:5:5)" ] || fail "dup: $(cat err)"
run "$FA" rules list --rules does/not/exist
expect_rc 2
expect_err 'does/not/exist: No such file or directory'

# --- test: every example through the scanner ---
run "$FA" rules test --rules packs
expect_rc 0
expect_out '^PASS t.path.lfw: example 1 (match)$'
expect_out '^PASS t.path.npy: example 2 (no_match)$'
expect_out '^PASS t.regex.kairos: example 2 (match)$'
expect_out '^12 passed, 0 failed$'
# the example text itself is never printed
expect_no_out 'George_W_Bush'
expect_no_out 'api.kairos.com'
# a PACK id selects one pack
run "$FA" rules test --rules packs t-text
expect_rc 0
expect_out '^4 passed, 0 failed$'
run "$FA" rules test --rules packs no-such-pack
expect_rc 2

# a wrong example fails, naming rule, example number and side
sed 's#no_match: \[data/lfwx/a.jpg#no_match: [data/lfw/oops.jpg#' packs/paths.yaml >wrong.yaml
run "$FA" rules test wrong.yaml
expect_rc 1
expect_out '^FAIL t.path.lfw: example 1 (no_match)$'
expect_out '^7 passed, 1 failed$'
expect_no_out 'oops'
# a missing example file is a failure too, not a crash
sed 's#file:calls.log#file:missing.log#' packs/text.yaml >packs2.yaml
run "$FA" rules test packs2.yaml
expect_rc 1
expect_out '^FAIL t.regex.kairos: example 2 (match)$'
expect_err 'missing.log'

# --- lint ---
run "$FA" rules lint packs
expect_rc 0
[ ! -s out ] || fail "lint: no warnings expected, got: $(cat out)"
cat >lintme.yaml <<'Y'
id: lintme
version: 1
rules:
  - id: l.one
    kind: regex
    category: vendor_endpoint
    severity: low
    description: Nested quantifier and no keywords.
    pattern: '^(\w+\s?)*$'
    examples:
      match: ["abc"]
      no_match: ["!"]
  - id: l.two
    kind: regex
    category: vendor_endpoint
    severity: low
    description: Repeated group that cannot overlap.
    keywords: [eu]
    pattern: 'eu(?:-[a-z]+)+-\d'
    examples:
      match: ["eu-west-1", "eu-central-2"]
      no_match: ["us-east-1", "eu"]
Y
run "$FA" rules lint lintme.yaml
expect_rc 0
expect_out "^lintme.yaml:4:5: warning: rule 'l.one' has 1 match example (at least 2 expected)$"
expect_out "^lintme.yaml:4:5: warning: rule 'l.one' has 1 no_match example (at least 2 expected)$"
expect_out "^lintme.yaml:4:5: warning: regex rule 'l.one' has no keywords"
expect_out "^lintme.yaml:9:14: warning: rule 'l.one': pattern has a repeated group"
expect_no_out "l.two"
[ "$(wc -l <out)" -eq 4 ] || fail "lint: expected 4 warnings"
run "$FA" rules lint --strict lintme.yaml
expect_rc 1
run "$FA" rules lint --strict packs
expect_rc 0
run "$FA" rules lint nothing-here.yaml
expect_rc 2
# every broken pack is named, not only the first
run "$FA" rules lint bad/sev.yaml bad/kind.yaml bad/syntax.yaml
expect_rc 2
expect_err '^bad/sev.yaml:7:15: unknown severity'
expect_err '^bad/kind.yaml:5:11: unknown kind'
expect_err '^bad/syntax.yaml:4:1: '
# lint runs the examples too: a failing one is an error line and exit 1, even without --strict
sed 's/match: \["eu-west-1", "eu-central-2"\]/match: ["eu-west-1", "eu"]/' lintme.yaml > lintex.yaml
run "$FA" rules lint lintex.yaml
expect_rc 1
expect_out "^lintex.yaml:13:5: error: rule 'l.two': match example 2 does not match$"
expect_err "1 failed example"
run "$FA" rules frobnicate
expect_rc 2
exit 0
