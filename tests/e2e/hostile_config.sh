#!/bin/sh
# Bad configuration: every invalid rule pack, policy, settings file and template case
# fails with exit 2 and a "file:line:column: message" naming the spot. (More cases live in
# rules_cli.sh, ci_output.sh, retention.sh and dpia.sh.)
. "$TOP/tests/lib/e2e.sh"

# case FILE CONTENT EXPECTED-STDERR-REGEX CMD...: writes FILE, runs CMD, wants exit 2 and
# a stderr line matching the regex.
case_() {
    _f=$1 _c=$2 _re=$3; shift 3
    printf '%s' "$_c" >"$_f"
    "$@" >"$WORK/out" 2>"$WORK/err"; RC=$?
    [ "$RC" -eq 2 ] || { cat "$WORK/err"; fail "$_f: expected exit 2, got $RC"; }
    grep -q -E -- "$_re" "$WORK/err" || { cat "$WORK/err"; fail "$_f: stderr lacks /$_re/"; }
}
HEAD='id: p
version: "1"
description: d
rules:
'
RULE='  - id: x
    kind: regex
    category: face_image
    severity: high
    description: d
'
EX='    examples: {match: [a], no_match: [b]}
'
TAB=$(printf '\t')

# --- rule packs: through `rules lint` and through `scan --rules`
for cmd in lint scan; do
    run_pack() { if [ $cmd = lint ]; then "$FA" rules lint "$1"; else "$FA" scan --rules "$1" -q /dev/null; fi; }
    case_ p-tab.yaml "$HEAD  - id: x
${TAB}kind: regex
" '^(faceaudit [a-z]+: )?p-tab.yaml:6:1: .*tab' run_pack p-tab.yaml
    case_ p-kind.yaml "$HEAD  - id: x
    kind: nope
    category: face_image
    severity: high
    description: d
$EX" "p-kind.yaml:6:11: unknown kind 'nope'" run_pack p-kind.yaml
    case_ p-sev.yaml "$HEAD  - id: x
    kind: regex
    category: face_image
    severity: huge
    description: d
    pattern: a
$EX" "p-sev.yaml:8:15: unknown severity 'huge'" run_pack p-sev.yaml
    case_ p-regex.yaml "$HEAD${RULE}    pattern: \"a(b\"
$EX" "p-regex.yaml:10:14: pattern: missing closing parenthesis" run_pack p-regex.yaml
    case_ p-rules.yaml "${HEAD%?} 5
" "p-rules.yaml:4:8: rules must be a list" run_pack p-rules.yaml
    case_ p-empty.yaml "" "p-empty.yaml:1:1: empty rule pack" run_pack p-empty.yaml
    case_ p-utf8.yaml "$(printf 'id: p\377\376\nversion: "1"\n')" "p-utf8.yaml:1:[0-9]+: .*UTF-8" run_pack p-utf8.yaml
    case_ p-conf.yaml "$HEAD${RULE}    confidence: 2.5
    pattern: a
$EX" "p-conf.yaml:10:17: confidence must be a number from 0 to 1" run_pack p-conf.yaml
    case_ p-kindkey.yaml "$HEAD  - id: x
    kind: vector
    category: face_template
    severity: high
    description: d
    nosuchkey: [-3, abc]
$EX" "p-kindkey.yaml:10:5: unknown key 'nosuchkey'" run_pack p-kindkey.yaml
    case_ p-top.yaml "id: p
version: \"1\"
description: d
bogus: 1
rules: []
" "p-top.yaml:4:1: unknown key 'bogus'" run_pack p-top.yaml
    case_ p-missing.yaml "$HEAD${RULE}    pattern: a
" "p-missing.yaml:5:5: .*missing required key 'examples'" run_pack p-missing.yaml
done
# duplicate rule ids across two packs
mkdir dup
printf '%s' "$HEAD${RULE}    pattern: a
$EX" >dup/a.yaml
sed 's/^id: p$/id: q/' dup/a.yaml >dup/b.yaml
run "$FA" rules lint dup; expect_rc 2; expect_err "dup/b.yaml:5:[0-9]*: .*'x'"
cp dup/a.yaml dup/b.yaml
run "$FA" rules lint dup; expect_rc 2; expect_err "dup/b.yaml:1:5: duplicate pack id 'p'"
# a billion-laughs alias bomb: refused quickly (the loader descends a fixed schema)
python3 - <<'PY'
lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
for i in range(1, 10):
    lines.append('a%d: &a%d [%s]' % (i, i, ','.join(['*a%d' % (i - 1)] * 9)))
lines.append('id: p\nversion: "1"\ndescription: d\nrules: *a9')
open('laughs.yaml', 'w').write('\n'.join(lines) + '\n')
PY
case_ laughs.yaml "$(cat laughs.yaml)" "laughs.yaml:1:1: unknown key 'a0'" timeout 20 "$FA" rules lint laughs.yaml

# --- retention policies
echo 'POST https://x.example/ ' >a.log
"$FA" scan --rules "$TOP/rules/vendors.yaml" -q --format json -o scan.json a.log; [ $? -le 1 ] || fail "scan for the policy cases"
case_ r-age.yaml 'rules:
  - match: "**"
    max_age: 12x
' "r-age.yaml:3:14: max_age '12x' is not a duration" "$FA" retention -p r-age.yaml scan.json
case_ r-syntax.yaml 'rules: [
' "r-syntax.yaml:2:1: " "$FA" retention -p r-syntax.yaml scan.json
case_ r-preset.yaml 'preset: nosuch
' "r-preset.yaml:1:9: unknown preset 'nosuch'" "$FA" retention -p r-preset.yaml scan.json
case_ r-cat.yaml 'rules:
  - categories: 7
    max_age: 1y
' "r-cat.yaml:2:17: category '7'" "$FA" retention -p r-cat.yaml scan.json
case_ r-key.yaml 'legal_holds:
  - reason: x
' "r-key.yaml:1:1: unknown key 'legal_holds'" "$FA" retention -p r-key.yaml scan.json
case_ r-default.yaml 'default: {max_age: 1y, extra: 2}
' "r-default.yaml:1:24: unknown key 'extra' in default" "$FA" retention -p r-default.yaml scan.json
case_ r-laughs.yaml "$(cat laughs.yaml)" "r-laughs.yaml:1:1: unknown key 'a0'" timeout 20 "$FA" retention -p r-laughs.yaml scan.json

# --- settings file (faceaudit.yaml, read from the current folder)
mkdir c && cp a.log c/ && cd c || exit 1
case_ faceaudit.yaml 'max_line: lots
' "faceaudit.yaml:1:11: --max-line: invalid value 'lots'" "$FA" scan --rules "$TOP/rules/vendors.yaml" a.log
case_ faceaudit.yaml 'format: [json
' "faceaudit.yaml:2:1: " "$FA" scan --rules "$TOP/rules/vendors.yaml" a.log
case_ faceaudit.yaml 'jobs: -4
' "faceaudit.yaml:1:7: --jobs: '-4'" "$FA" scan --rules "$TOP/rules/vendors.yaml" a.log
case_ faceaudit.yaml 'limits:
  max_line: 1M
' "faceaudit.yaml:1:1: unknown key 'limits'" "$FA" scan --rules "$TOP/rules/vendors.yaml" a.log
case_ faceaudit.yaml "$(cat ../laughs.yaml)" "faceaudit.yaml:1:1: unknown key 'a0'" timeout 20 "$FA" scan --rules "$TOP/rules/vendors.yaml" a.log
rm faceaudit.yaml; cd .. || exit 1

# --- DPIA templates
"$FA" inventory --format json -o inv.json scan.json || fail "inventory for the template cases"
case_ t-section.md.mustache '{{#risks}}x
' "t-section.md.mustache:1:1: unclosed section 'risks'" "$FA" dpia -i inv.json -t ./t-section.md.mustache
case_ t-delim.md.mustache 'a
{{=<% %>
' "t-delim.md.mustache:2:1: unclosed tag" "$FA" dpia -i inv.json -t ./t-delim.md.mustache
case_ t-tag.md.mustache 'a
b {{name
' "t-tag.md.mustache:2:3: unclosed tag" "$FA" dpia -i inv.json -t ./t-tag.md.mustache
case_ t-close.md.mustache '{{#a}}
{{/b}}
' "t-close.md.mustache:2:1: 'b' closes section 'a' \(opened at line 1\)" "$FA" dpia -i inv.json -t ./t-close.md.mustache
case_ t-partial.md.mustache '{{> nosuchpartial}}
' "t-partial.md.mustache:1:1: partial 'nosuchpartial' not found" "$FA" dpia -i inv.json -t ./t-partial.md.mustache
case_ t-triple.md.mustache '{{#a}}{{/a}}{{{x}}
' "t-triple.md.mustache:1:13: unclosed tag" "$FA" dpia -i inv.json -t ./t-triple.md.mustache
echo "ok: bad configuration"
