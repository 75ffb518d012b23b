# End-to-end: `faceaudit retention` over a real scan of a fixture tree with fixed times.
. "$TOP/tests/lib/e2e.sh"
. "$TOP/tests/lib/inventory-fixture.sh"

cat > policy.yaml <<'YAML'
name: Test retention schedule
version: 1
default:
  max_age: 3y
  basis: BIPA 740 ILCS 14/15(a)
rules:
  - id: uploads
    category: face_image
    match: 'tree/uploads/**'
    max_age: 1y
    basis: kiosk photos, one year
legal_hold:
  - match: '**/legal/**'
    reason: Doe v. Acme
YAML
status() { jq -r --arg l "$1" '.artifacts[] | select(.location == $l) | .status' "$2"; }

# --- the invocation from the issue: everything is past its deadline in 2031
run "$FA" retention --policy policy.yaml --as-of 2031-01-01 --format json scan.json
expect_rc 1
jq -e '.as_of == "2031-01-01T00:00:00Z" and .summary.overdue == 4 and .summary.ok == 0 and (.artifacts | length) == 4' out >/dev/null \
    || { jq .summary out; fail "2031 summary"; }
jq -e '.artifacts | all(has("location") and has("category") and has("timestamp") and has("age_days") and has("deadline") and has("status") and has("rule") and has("basis"))' out >/dev/null || fail "artifact shape"

# --- as of 2025-07-01: exact statuses, deadlines and rules
run "$FA" retention --policy policy.yaml --as-of 2025-07-01 --format json --manifest manifest.txt scan.json
expect_rc 1
cp out r.json
[ "$(status tree/uploads/2024/face_1.jpg r.json)" = overdue ] || fail "face_1 should be overdue"
[ "$(status tree/uploads/face_2.jpg r.json)" = ok ] || fail "face_2 should be ok"
[ "$(status 'tree/backups/old.zip!faces/face_3.jpg' r.json)" = overdue ] || fail "archive member should be overdue (2022 + 3y)"
[ "$(status tree/logs/app.log r.json)" = ok ] || fail "app.log template should be ok"
jq -e '.artifacts[] | select(.location == "tree/uploads/2024/face_1.jpg") | .deadline == "2025-01-10T00:00:00Z" and .age_days == 538 and .rule == "uploads" and .basis == "kiosk photos, one year" and .max_age == "1y"' r.json >/dev/null || fail "face_1 details"
jq -e '.artifacts[] | select(.location == "tree/backups/old.zip!faces/face_3.jpg") | .timestamp == "2022-05-05T00:00:00Z" and .rule == "default"' r.json >/dev/null || fail "member uses the archive member time"
jq -e '.artifacts[] | select(.location == "tree/logs/app.log") | .category == "face_template"' r.json >/dev/null || fail "vendor-only config is not an artifact; the log is a template"
jq -e '[.artifacts[].location] | index("tree/config/settings.yaml") | not' r.json >/dev/null || fail "vendor_endpoint-only objects are not stored data"
jq -e '.summary == {"ok":2,"due":0,"overdue":2,"hold":0,"unknown":0,"needs_decision":0,"artifacts":4,"bytes_overdue":40,"buckets_noncompliant":0,"complete":true}' r.json >/dev/null || { jq .summary r.json; fail "summary"; }
[ "$(stat -c %a manifest.txt)" = 600 ] || fail "manifest mode"

# --- the manifest: read by xargs as it is, it deletes exactly the overdue plain files;
# archive members are in manifest.txt.rewrite (and named on stderr)
[ "$(stat -c %a manifest.txt.rewrite)" = 600 ] || fail "manifest.txt.rewrite mode"
grep -qx ".*/tree/backups/old.zip: rewrite without member faces/face_3.jpg" manifest.txt.rewrite || { cat manifest.txt.rewrite; fail "archive member note"; }
[ "$(wc -l < manifest.txt)" = 1 ] || { cat manifest.txt; fail "one line expected in the manifest"; }
expect_err "manifest.txt.rewrite"
# decoys: words of an archive note must never reach rm
: > rewrite; : > without; : > member
xargs rm -- < manifest.txt || fail "xargs rm failed"
[ -e rewrite ] && [ -e without ] && [ -e member ] || fail "xargs rm deleted a word of a note"
[ ! -e tree/uploads/2024/face_1.jpg ] || fail "the manifest did not name face_1.jpg"
[ -e tree/uploads/face_2.jpg ] && [ -e tree/backups/old.zip ] || fail "the manifest deleted something not overdue"

# --- due within --warn-days; --fail-on
run "$FA" retention --policy policy.yaml --as-of 2026-05-10 --format json scan.json
[ "$(status tree/uploads/face_2.jpg out)" = due ] || fail "face_2 due 22 days before its deadline"
run "$FA" retention --policy policy.yaml --as-of 2026-05-10 --warn-days 10 --format json scan.json
[ "$(status tree/uploads/face_2.jpg out)" = ok ] || fail "--warn-days 10"
run "$FA" retention --policy policy.yaml --as-of 2024-02-01 --format json scan.json
expect_rc 0
run "$FA" retention --policy policy.yaml --as-of 2024-12-20 --fail-on due --format json scan.json
expect_rc 1
run "$FA" retention --policy policy.yaml --as-of 2031-01-01 --fail-on never scan.json
expect_rc 0

# --- legal hold wins over age
mkdir -p tree/legal && printf 'x\n' > tree/legal/face_9.jpg && touch -d 2020-01-01T00:00:00Z tree/legal/face_9.jpg
"$FA" scan $RULES --format json -o legal.json tree/legal 2>/dev/null
run "$FA" retention --policy policy.yaml --as-of 2031-01-01 --format json legal.json
expect_rc 0
jq -e '.artifacts[0].status == "hold" and .artifacts[0].hold.reason == "Doe v. Acme"' out >/dev/null || fail "legal hold"

# --- presets
run "$FA" retention --preset gdpr --as-of 2031-01-01 --format json scan.json
expect_rc 0
jq -e '.summary.unknown == 4 and .summary.needs_decision == 4 and .policy.max_age_required' out >/dev/null || fail "gdpr needs a decision"
expect_err 'need a decision'
run "$FA" retention --preset gdpr --set max_age=2y --as-of 2026-06-01 --format json scan.json
expect_rc 1
[ "$(status tree/uploads/2024/face_1.jpg out)" = overdue ] || fail "gdpr with --set max_age=2y"
jq -e '.artifacts[0].basis | test("Art. 5\\(1\\)\\(e\\)")' out >/dev/null || fail "gdpr basis"
run "$FA" retention --preset bipa --as-of 2025-07-01 --format json scan.json
jq -e '[.artifacts[] | select(.status == "overdue") | .location] == ["tree/backups/old.zip!faces/face_3.jpg"]' out >/dev/null || fail "bipa: 3 years"
jq -e '.artifacts[0].basis | test("740 ILCS 14/15\\(a\\)")' out >/dev/null || fail "bipa basis"
run "$FA" retention --preset cubi --as-of 2025-07-01 --format json scan.json
jq -e '[.artifacts[] | select(.status == "overdue") | .location] == ["tree/backups/old.zip!faces/face_3.jpg", "tree/uploads/2024/face_1.jpg"]' out >/dev/null || fail "cubi: one year"

# --- md and csv
run "$FA" retention --policy policy.yaml --as-of 2025-07-01 --format md scan.json
expect_out '^# Biometric data retention report'
expect_out '| overdue | 2 |'
expect_out 'BIPA 740 ILCS 14/15(a)'
run "$FA" retention --policy policy.yaml --as-of 2025-07-01 --format csv scan.json
expect_out '^location,category,timestamp,age_days,max_age,deadline,days_left,status,reason,rule,basis$'
expect_out '^tree/uploads/face_2.jpg,face_image,2025-06-01T00:00:00Z,30,1y,2026-06-01T00:00:00Z,335,ok,,uploads,'

# --- invalid input: file:line:column, exit 2
printf 'rules:\n  - id: a\n    max_age: 3 years\n' > bad.yaml
run "$FA" retention --policy bad.yaml scan.json
expect_rc 2
expect_err 'bad.yaml:3:14: max_age'
printf 'default:\n  max_age: 1y\n  retain: forever\n' > bad2.yaml
run "$FA" retention --policy bad2.yaml scan.json
expect_rc 2
expect_err "bad2.yaml:3:3: unknown key 'retain'"
printf '{"objects": [{"location": {"path": "x"}, "mtime": "soon"}]}' > bad.json
run "$FA" retention --policy policy.yaml bad.json
expect_rc 2
expect_err 'bad.json:1:51: objects\[0\].mtime'
run "$FA" retention scan.json
expect_rc 2
run "$FA" retention --preset hipaa scan.json
expect_rc 2
run "$FA" retention --policy policy.yaml --as-of tomorrow scan.json
expect_rc 2
run "$FA" retention --policy policy.yaml --format pdf scan.json
expect_rc 2
# a category faceaudit never reports and no document holds (a typo) is a warning, not silence
printf 'rules:\n  - id: photos\n    category: face_imgae\n    max_age: 1y\ndefault: {max_age: 3y}\n' > typo.yaml
run "$FA" retention --policy typo.yaml --as-of 2025-07-01 --format json scan.json
expect_err "policy rule 'photos' (line 2): category 'face_imgae' is not one the shipped rule packs report"
run "$FA" retention --policy policy.yaml --as-of 2025-07-01 --format json scan.json
! grep -q "is not one the shipped rule packs report" err || fail "a warning for a valid policy: $(cat err)"
echo "retention: ok"
