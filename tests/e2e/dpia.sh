#!/bin/sh
# faceaudit dpia: every shipped template rendered from an inventory (hand-written in the
# inventory's JSON shape, and from a real scan -> inventory), figures checked against the
# inventory with jq, the CNIL export checked as JSON, strict/allow-missing variables, and
# the HTML checked in headless Chromium.
. "$TOP/tests/lib/e2e.sh"
export FACEAUDIT_TEMPLATES="$TOP/templates" FACEAUDIT_RULES="$TOP/rules" SOURCE_DATE_EPOCH=1767225600

cat >inv.json <<'JSON'
{"generated_from":{"documents":["scan.json"],"complete":true},
 "stores":[
  {"id":"bucket:s3://photos-prod/","kind":"bucket","location":"s3://photos-prod/","holds_biometric":true,
   "categories":{"face_image":{"objects":120,"findings":130,"bytes":52428800},"face_template":{"objects":40,"findings":40,"bytes":81920}},
   "objects_with_findings":150,"bytes_with_findings":52510720,"oldest":"2019-03-01T00:00:00Z","newest":"2025-01-02T00:00:00Z",
   "posture":{"source":"s3_bucket","public":true,"encryption":"none","versioning":"Enabled","lifecycle":null},
   "exposure":{"faces":180,"templates":40,"estimate":220},"examples":[]},
  {"id":"log:/srv/app/logs/api.log","kind":"log","location":"/srv/app/logs/api.log","holds_biometric":true,
   "categories":{"face_template":{"objects":1,"findings":7,"bytes":1048576},"vendor_endpoint":{"objects":1,"findings":12,"bytes":1048576}},
   "objects_with_findings":1,"bytes_with_findings":1048576,"oldest":"2024-06-01T00:00:00Z","newest":"2024-06-30T00:00:00Z",
   "posture":{"source":"filesystem","public":null,"encryption":null},"examples":[]},
  {"id":"archive:/backups/2021.tar.gz","kind":"archive","location":"/backups/2021.tar.gz","holds_biometric":true,
   "categories":{"face_image":{"objects":9,"findings":9,"bytes":900000}},
   "objects_with_findings":9,"bytes_with_findings":900000,"oldest":"2021-01-01T00:00:00Z","newest":"2021-12-31T00:00:00Z",
   "posture":{"source":"filesystem","public":null,"encryption":null},"examples":[]}],
 "flows":[
  {"kind":"vendor","from":"/srv/app/logs/api.log","to":{"kind":"vendor","host":"api.faceplusplus.com","scheme":"https"},"category":"vendor_endpoint","count":10,"first_seen":"2024-06-01T10:00:00Z","last_seen":"2024-06-30T10:00:00Z","insecure":false},
  {"kind":"vendor","from":"/srv/app/logs/api.log","to":{"kind":"vendor","host":"legacy-face.example.com","scheme":"http"},"category":"vendor_endpoint","count":2,"first_seen":"2024-06-02T10:00:00Z","last_seen":"2024-06-03T10:00:00Z","insecure":true},
  {"kind":"logging_leak","from":"application","to":{"kind":"store","location":"/srv/app/logs/api.log"},"category":"face_template","count":7,"first_seen":null,"last_seen":null,"insecure":false}],
 "summary":{"exposure":{"faces":189,"templates":47,"estimate":236}}}
JSON
cat >ret.json <<'JSON'
{"as_of":"2031-01-01","artifacts":[
 {"location":"s3://photos-prod/u/1.jpg","category":"face_image","age_days":4324,"deadline":"2022-03-01","status":"overdue","rule":"bipa","basis":"BIPA 740 ILCS 14/15(a)"},
 {"location":"/backups/2021.tar.gz!a/b.jpg","category":"face_image","age_days":3652,"deadline":"2024-01-01","status":"overdue","rule":"bipa","basis":"BIPA 740 ILCS 14/15(a)"}],
 "summary":{"ok":3,"due":1,"overdue":2,"hold":0,"unknown":1}}
JSON

# figures the documents must show, computed from the inventory itself
IMAGES=$(jq '[.stores[].categories.face_image.objects // 0] | add' inv.json)
TEMPLATES=$(jq '[.stores[].categories.face_template.objects // 0] | add' inv.json)
PUBLIC_OBJ=$(jq '[.stores[] | select(.posture.public == true) | (.categories.face_image.objects // 0) + (.categories.face_template.objects // 0)] | add' inv.json)
OVERDUE=$(jq '.summary.overdue' ret.json)
ESTIMATE=$(jq '.summary.exposure.estimate' inv.json)

# --list: the three shipped templates with a description each
run "$FA" dpia --list
expect_rc 0
for t in gdpr-dpia cnil-pia bipa-retention-policy; do
    grep -q "^$t  *[a-z]*  *[A-Z]" "$WORK/out" || fail "--list lacks $t with a description"
done

# gdpr-dpia, the invocation of the issue
run "$FA" dpia --inventory inv.json --retention ret.json --template gdpr-dpia -o dpia.md
expect_rc 0
[ "$(stat -c %a dpia.md)" = 600 ] || fail "dpia.md is not mode 0600"
! grep -q '{{' dpia.md || fail "unresolved {{ in dpia.md"
grep -q "\*\*$IMAGES face images\*\*" dpia.md || fail "dpia.md lacks the face image count $IMAGES"
grep -q "\*\*$TEMPLATES face templates\*\*" dpia.md || fail "dpia.md lacks the template count $TEMPLATES"
grep -q "\*\*$OVERDUE overdue\*\*" dpia.md || fail "dpia.md lacks the overdue count $OVERDUE"
grep -q "data subjects.*: $ESTIMATE\$" dpia.md || fail "dpia.md lacks the subjects estimate $ESTIMATE"
# md_text FILE: the Markdown with its backslash escapes resolved, as a reader sees it
md_text() { sed 's/\\\([^A-Za-z0-9 ]\)/\1/g' "$1"; }
md_text dpia.md > dpia.txt
for loc in $(jq -r '.stores[].location' inv.json); do
    grep -qF "| $loc |" dpia.txt || fail "store $loc not in the stores table"
done
for h in $(jq -r '.flows[] | select(.kind == "vendor") | .to.host' inv.json); do
    grep -qF "| $h |" dpia.md || fail "recipient $h not listed"
done
grep -q "Face data in publicly accessible storage.*($PUBLIC_OBJ objects)" dpia.md || fail "public-store risk lacks its count"
grep -q "Biometric data sent over unencrypted HTTP.*1 flow over plain http://: legacy-face.example.com" dpia.md || fail "insecure flow risk missing"
grep -q "Face templates stored without template protection.*$TEMPLATES face template objects" dpia.md || fail "template-protection risk missing"
grep -q "Biometric data kept beyond its retention period.*$OVERDUE artifacts are overdue" dpia.md || fail "retention risk missing"
grep -q "| Encryption at rest for every store holding face data | \*\*Contradicted\*\* | 1 store" dpia.md || fail "encryption control not contradicted"
for s in "Step 1. Identify the need" "Step 2. Describe the processing" "Step 3. Consultation" "Step 4. Assess necessity" \
         "Step 5. Identify and assess risks" "Step 6. Identify measures" "Step 7. Sign off"; do
    grep -q "^## $s" dpia.md || fail "missing section: $s"
done
# decisions are prompts, never invented
grep -q '^- Purposes: \[TO BE COMPLETED BY THE CONTROLLER: ' dpia.md || fail "purposes is not a prompt"
grep -q '^- Lawful basis (Art. 6): \[TO BE COMPLETED BY THE CONTROLLER: ' dpia.md || fail "lawful basis is not a prompt"

# --data (YAML) and --set fill the prompts; --set wins over --data
cat >facts.yaml <<'YAML'
controller:
  name: Acme Vision Ltd
processing:
  purposes: Door access for staff
bipa:
  entity: Acme Vision Ltd
YAML
run "$FA" dpia --inventory inv.json --data facts.yaml --set processing.purposes='Badge-free entry <staff>' --set dpo.name=Dana
expect_rc 0
expect_out '| Controller | Acme Vision Ltd |'
expect_out '^- Purposes: Badge-free entry \\<staff\\>$'
expect_out 'Data protection officer | Dana, '
expect_no_out 'name of the controller\]'
expect_out 'no retention report was given'

# strict variables: a missing one is an error naming it, unless --allow-missing
printf '# T\n\nA {{summary.face_images}} B\n{{nosuch.var}}\n' >custom.md.mustache
run "$FA" dpia --inventory inv.json --template ./custom.md.mustache
expect_rc 2
expect_err "custom.md.mustache:4:1: missing variable 'nosuch.var'"
run "$FA" dpia --inventory inv.json --template ./custom.md.mustache --allow-missing
expect_rc 0
expect_out "^A $IMAGES B\$"
printf '{{#risks}}\n' >broken.md.mustache
run "$FA" dpia --inventory inv.json --template ./broken.md.mustache
expect_rc 2
expect_err "broken.md.mustache:1:1: unclosed section 'risks'"
run "$FA" dpia --inventory inv.json --template no-such-template
expect_rc 2
expect_err "no template named 'no-such-template'"
run "$FA" dpia --inventory inv.json --format pdf
expect_rc 2
run "$FA" dpia --inventory inv.json --template cnil-pia --format html
expect_rc 2
echo '{"flows":[]}' >notinv.json
run "$FA" dpia --inventory notinv.json
expect_rc 2
expect_err "not an inventory"

# cnil-pia: valid JSON in the shape the CNIL PIA application imports
run "$FA" dpia --inventory inv.json --retention ret.json --template cnil-pia -o pia.json --set 'processing.name=Door "access" & more'
expect_rc 0
! grep -q '{{' pia.json || fail "unresolved {{ in pia.json"
jq -e '(keys | contains(["pia","answers","measures","evaluations"])) and (.answers|type=="array") and (.evaluations|type=="array") and (.comments|type=="array")' pia.json >/dev/null || fail "pia.json lacks the CNIL top-level keys"
[ "$(jq -r .pia.name pia.json)" = 'Door &quot;access&quot; &amp; more' ] || fail "pia.name not escaped for JSON+HTML: $(jq -r .pia.name pia.json)"
jq -e --argjson n "$IMAGES" '.answers[] | select(.reference_to == 121) | .data.text | contains("Face images: \($n) objects")' pia.json >/dev/null || fail "answer 121 lacks the image count"
jq -e '[.answers[].reference_to] | contains([111,112,121,122,123,211,212,215,226,227])' pia.json >/dev/null || fail "answers lack questions"
jq -e '.measures | length > 5 and all(.title != "" and (.id|type=="number"))' pia.json >/dev/null || fail "measures malformed"
jq -e --argjson n "$OVERDUE" '.measures[] | select(.title | startswith("Retention schedule")) | .content | contains("\($n) artifacts overdue")' pia.json >/dev/null || fail "retention measure lacks the overdue count"

# bipa-retention-policy
run "$FA" dpia --inventory inv.json --retention ret.json --template bipa-retention-policy --data facts.yaml -o bipa.md
expect_rc 0
! grep -q '{{' bipa.md || fail "unresolved {{ in bipa.md"
grep -q '^\*\*Acme Vision Ltd\*\*$' bipa.md || fail "entity missing"
grep -q '740 ILCS 14/15(a)' bipa.md || fail "statute missing"
grep -q "within 3 years of the individual's last interaction with Acme Vision Ltd" bipa.md || fail "BIPA schedule missing"
grep -q "\*\*$OVERDUE overdue for destruction\*\*" bipa.md || fail "overdue count missing in annex"
grep -qF '| Face images | '"$IMAGES"' |' bipa.md || fail "category table lacks image count"
grep -q 'bipa.purposes' bipa.md || fail "open BIPA items not listed"
grep -q 'controller.contact' bipa.md && fail "BIPA annex lists non-BIPA prompts"

# A real scan of a generated tree with face images, a face template and vendor calls
# (tests/lib/inventory-fixture.sh: deterministic rules; it writes scan.json), then
# inventory and retention of it, and EVERY shipped template rendered from those. The
# expected figures come from the scan document, not from this script.
. "$TOP/tests/lib/inventory-fixture.sh"
cat >fx-policy.yaml <<'YAML'
name: Fixture schedule
version: 1
default:
  max_age: 3y
  basis: BIPA 740 ILCS 14/15(a), 3 years from the last interaction.
rules:
  - id: logs
    match: ["**/logs/**"]
    max_age: 7d
    basis: No purpose covers biometric data in logs.
  - id: kiosk-enrolment
    category: face_image
    match: ["**/enrolment/**"]
    max_age: 90d
    basis: Enrolment photos, until the template exists.
  - id: uploads
    category: face_image
    match: ["**/uploads/**"]
    max_age: 18m
    basis: "Upload photos: 6 months' notice <b>& [review](javascript:x)</b>"
YAML
"$FA" inventory --format json -o fx-inv.json scan.json 2>fx-inv.err || { cat fx-inv.err; fail "inventory of the fixture failed"; }
"$FA" retention --policy fx-policy.yaml --as-of 2026-01-01 --format json -o fx-ret.json scan.json 2>fx-ret.err
[ $? -le 1 ] || { cat fx-ret.err; fail "retention of the fixture failed"; }
# objects (location + archive members) holding each category, and vendor findings
objs() { jq --arg c "$1" '[.findings[] | select(.category == $c) | .location | [.uri, (.members // [] | join("!"))]] | unique | length' scan.json; }
FX_IMG=$(objs face_image); FX_TPL=$(objs face_template)
FX_VEND=$(jq '[.findings[] | select(.category == "vendor_endpoint")] | length' scan.json)
FX_HOSTS=$(jq -r '[.flows[] | select(.kind == "vendor") | .to.host] | unique | .[]' fx-inv.json)
FX_OVERDUE=$(jq '.summary.overdue' fx-ret.json)
FX_RULES=$(jq -r '.policy.rules[].id' fx-ret.json)
[ "$FX_IMG" -gt 1 ] && [ "$FX_TPL" -ge 1 ] && [ "$FX_VEND" -ge 1 ] && [ -n "$FX_HOSTS" ] ||
    fail "fixture scan lacks images ($FX_IMG), templates ($FX_TPL) or vendor calls ($FX_VEND)"
# one policy rule matches nothing: the written schedule must list it all the same
jq -e '[.artifacts[] | select(.rule == "kiosk-enrolment")] | length == 0' fx-ret.json >/dev/null ||
    fail "kiosk-enrolment was meant to match nothing"
"$FA" dpia --list | awk '{print $1}' >templates.txt   # every shipped template
[ "$(wc -l <templates.txt)" -ge 3 ] || fail "dpia --list lists fewer than 3 templates"
while read -r t; do
    ext=md; "$FA" dpia --list | grep -q "^$t  *json " && ext=json
    run "$FA" dpia --inventory fx-inv.json --retention fx-ret.json --template "$t" -o "fx-$t.$ext"
    expect_rc 0
    f="fx-$t.$ext"
    [ "$(stat -c %a "$f")" = 600 ] || fail "$f is not mode 0600"
    ! grep -q '{{' "$f" || fail "unresolved {{ in $f"
    if [ $ext = json ]; then
        jq -e . "$f" >/dev/null || fail "$f is not JSON"
    else
        ! grep -q '&#\|&amp;\|&lt;\|&quot;' "$f" || fail "HTML entities in Markdown $f: $(grep -m1 '&#\|&amp;\|&lt;\|&quot;' "$f")"
    fi
    # no "1 objects", "1 stores hold" and the like anywhere
    ! grep -Eq '(^|[^0-9.])1 (objects|stores|images|templates|flows|data flows|archives|face images|face templates|artifacts|items|findings)\b|[^0-9]1 (log )?(stores|archives) hold\b' "$f" ||
        fail "plural after 1 in $f: $(grep -Eo '(^|[^0-9.])1 [a-z ]{0,20}' "$f" | head -3)"
done <templates.txt
G=fx-gdpr-dpia.md B=fx-bipa-retention-policy.md C=fx-cnil-pia.json
[ -f $G ] && [ -f $B ] && [ -f $C ] || fail "a shipped template was not rendered"
# Paths keep their characters: the overdue face_N.jpg files appear as written once the
# Markdown is resolved, and in the HTML without a stray backslash (escapes inside code spans
# are not resolved, so paths must not be put in code spans).
for f in $(jq -r '.artifacts[] | select(.status == "overdue") | .location' fx-ret.json); do
    md_text $B | grep -qF -- "- $f (" || fail "overdue $f not written as is in $B"
done
run "$FA" dpia --inventory fx-inv.json --retention fx-ret.json --template bipa-retention-policy --format html -o fx-bipa.html
expect_rc 0
grep -q 'face_[0-9]*\.jpg' fx-bipa.html || fail "no face_N.jpg path in the BIPA HTML"
! grep -q 'face\\_' fx-bipa.html || fail "a path in the BIPA HTML carries a Markdown escape"
img_txt() { [ "$1" = 1 ] && echo "1 face image" || echo "$1 face images"; }
tpl_txt() { [ "$1" = 1 ] && echo "1 face template" || echo "$1 face templates"; }
grep -qF "**$(img_txt "$FX_IMG")**" $G || fail "$G lacks the scanned image count $FX_IMG"
grep -qF "**$(tpl_txt "$FX_TPL")**" $G || fail "$G lacks the scanned template count $FX_TPL"
grep -qF "| Data flows to face-recognition services | " $G || fail "$G lacks the vendor category"
grep -Eq "^\| Data flows to face-recognition services \| [0-9]+ \| $FX_VEND \|" $G || fail "$G lacks the vendor finding count $FX_VEND"
grep -qF "| Face images | $FX_IMG |" $B || fail "$B lacks the image count $FX_IMG"
grep -qF "**$FX_OVERDUE overdue for destruction**" $B || fail "$B lacks the overdue count $FX_OVERDUE"
for h in $FX_HOSTS; do
    grep -qF "| $h |" $G || fail "recipient $h not in $G"
    grep -qxF -- "- $h" $B || fail "service provider $h not in $B"
    jq -e --arg h "$h" '.answers[] | select(.reference_to == 112) | .data.text | contains($h)' $C >/dev/null || fail "$h not in the CNIL answer 112"
done
for loc in $(jq -r '.stores[] | select(.holds_biometric) | .location' fx-inv.json); do
    md_text $G | grep -qF "| $loc |" || fail "store $loc not in $G"
done
jq -e --argjson n "$FX_IMG" '.answers[] | select(.reference_to == 121) | .data.text | contains("Face images: \($n) objects")' $C >/dev/null ||
    fail "CNIL answer 121 lacks the image count $FX_IMG"
# the written schedule: every policy rule (matched or not) and the default, with its period
for r in $FX_RULES default; do
    age=$(jq -r --arg r "$r" 'if $r == "default" then .policy.default.max_age else .policy.rules[] | select(.id == $r) | .max_age end' fx-ret.json)
    n=${age%?}; u=${age#"$n"}
    case $u in d) w=day;; w) w=week;; m) w=month;; y) w=year;; *) fail "unexpected unit in $age";; esac
    [ "$n" = 1 ] || w="${w}s"
    grep -Eq "^\| $r \| $n $w \| " $B || fail "BIPA schedule lacks rule $r with its period $n $w"
    grep -Eq "^\| $r \| $n $w \| " $G || fail "DPIA schedule lacks rule $r with its period $n $w"
    jq -e --arg r "$r" --arg p "$n $w" '.answers[] | select(.reference_to == 215) | .data.text | contains("<li>\($r): \($p)")' $C >/dev/null ||
        fail "CNIL answer 215 lacks rule $r ($n $w)"
done
grep -qF '| kiosk-enrolment | 90 days | Face images | \*\*/enrolment/\*\* | Enrolment photos, until the template exists. |' $B ||
    fail "the unmatched rule lacks its categories, globs or basis: $(grep kiosk $B)"
# policy text is Markdown-escaped, not HTML-escaped: the apostrophe stays, markup and links do not
grep -qF "6 months' notice \\<b\\>& [review\\](javascript:x)\\</b\\>" $B || fail "basis not Markdown-escaped: $(grep 'Upload photos' $B)"
run "$FA" dpia --inventory fx-inv.json --retention fx-ret.json --template bipa-retention-policy --format html -o fx-bipa.html
expect_rc 0
grep -qF "6 months' notice &lt;b&gt;&amp; [review](javascript:x)&lt;/b&gt;" fx-bipa.html || fail "basis not HTML-escaped in the HTML: $(grep 'Upload photos' fx-bipa.html)"
! grep -q '<b>\|href="javascript' fx-bipa.html || fail "policy text became markup in the HTML"

# scan documents given directly, with options AFTER the operand (as scan and inventory take)
run "$FA" dpia scan.json --template gdpr-dpia --retention fx-ret.json -o fx-fromscan.md
expect_rc 0
[ "$(stat -c %a fx-fromscan.md)" = 600 ] || fail "fx-fromscan.md is not mode 0600"
# identical except for the provenance lines that name the input
if diff fx-fromscan.md $G | grep '^[<>]' | grep -qv 'fx-inv.json\|inventory of scan.json'; then
    diff fx-fromscan.md $G | head -20 >&2
    fail "dpia from scan documents differs from dpia from the inventory"
fi
run "$FA" dpia scan.json --template cnil-pia
expect_rc 0
jq -e . "$WORK/out" >/dev/null || fail "cnil-pia from a scan document with options after it is not JSON"

# HTML: rendered by md4c, checked in a real browser DOM
run "$FA" dpia --inventory inv.json --retention ret.json --format html -o dpia.html
expect_rc 0
grep -q '<style>' dpia.html || fail "no stylesheet"
grep -q '@media print' dpia.html || fail "no print stylesheet"
! grep -q '{{' dpia.html || fail "unresolved {{ in dpia.html"
if ! command -v chromium >/dev/null 2>&1; then
    command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1
fi
command -v chromium >/dev/null 2>&1 || skip "chromium cannot be installed: HTML not checked in a browser"
PROFILE=$(mktemp -d "$WORK/chrome.XXXXXX")
timeout 90 chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$PROFILE" --dump-dom "file://$WORK/dpia.html" >dom.html 2>chrome.err
[ -s dom.html ] || { tail -5 chrome.err >&2; fail "chromium produced no DOM"; }
grep -q '<h1>Data Protection Impact Assessment: ' dom.html || fail "h1 not in the DOM"
for s in "Step 1. Identify the need for a DPIA" "Step 5. Identify and assess risks (Art. 35(7)(c))" "Step 7. Sign off and record outcomes"; do
    grep -qF "<h2>$s</h2>" dom.html || fail "heading '$s' not in the DOM"
done
grep -q "<strong>$IMAGES face images</strong>" dom.html || fail "image count not in the DOM"
grep -q "<strong>$OVERDUE overdue</strong>" dom.html || fail "overdue count not in the DOM"
grep -q '<td>s3://photos-prod/</td>' dom.html || fail "store table not in the DOM"
grep -q '<table>' dom.html || fail "no table in the DOM"
echo "dpia e2e ok"
