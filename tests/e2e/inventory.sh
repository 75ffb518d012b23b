# End-to-end: `faceaudit inventory` over real scans of a fixture tree.
. "$TOP/tests/lib/e2e.sh"
. "$TOP/tests/lib/inventory-fixture.sh"

# --- the invocation from the issue, JSON shape
run "$FA" inventory --format json scan.json
expect_rc 0
cp out inv.json
store() { jq -e --arg id "$1" ".stores[] | select(.id == \$id) | $2" inv.json >/dev/null || { jq ".stores[] | select(.id == \"$1\")" inv.json; fail "store $1: $2"; }; }
flow()  { jq -e "[.flows[] | select($1)] | length == 1" inv.json >/dev/null || { jq .flows inv.json; fail "flow: $1"; }; }
jq -e '(.stores|type) == "array" and (.flows|type) == "array" and (.summary|type) == "object"' inv.json >/dev/null || fail "top-level shape"
store folder:tree/uploads '.kind == "folder" and .categories.face_image.objects == 2 and .categories.face_image.findings == 2'
store folder:tree/uploads '.oldest == "2024-01-10T00:00:00Z" and .newest == "2025-06-01T00:00:00Z" and .objects_scanned == 3'
store folder:tree/uploads '.examples == ["tree/uploads/2024/face_1.jpg", "tree/uploads/face_2.jpg"]'
store folder:tree/uploads '.categories.face_image.fides == ["user.biometrics", "user.content.self_image"]'
store archive:tree/backups/old.zip '.categories.face_image.objects == 1 and .oldest == "2022-05-05T00:00:00Z"'
store log:tree/logs/app.log '.categories.vendor_endpoint.findings == 2 and .categories.face_template.findings == 1 and .holds_biometric'
store folder:tree/config '.holds_biometric == false and .categories.vendor_endpoint.objects == 1'
flow '.kind == "vendor" and .from == "log:tree/logs/app.log" and .to.kind == "vendor" and .to.host == "rekognition.us-east-1.amazonaws.com" and .count == 2 and .insecure == true and .first_seen == "2025-01-02T10:00:00Z" and .last_seen == "2025-01-03T11:00:00Z"'
flow '.kind == "vendor" and .from == "folder:tree/config" and .to.host == "api-us.faceplusplus.com" and .insecure == false'
flow '.kind == "logging_leak" and .from == "application" and .to.id == "log:tree/logs/app.log" and .category == "face_template"'
flow '.kind == "backup" and .from == "folder:tree/backups" and .to.id == "archive:tree/backups/old.zip" and .category == "face_image"'
jq -e '.summary.exposure.faces == 3 and .summary.exposure.templates == 1 and .summary.exposure.estimate == 4 and (.summary.exposure.label | test("upper-bound"))' inv.json >/dev/null || fail "exposure"
jq -e '[.warnings[].code] | index("insecure_transmission") and index("logging_leak") and index("backup_copy")' inv.json >/dev/null || fail "warnings"

# --- --group-depth and --examples
run "$FA" inventory --format json --group-depth 2 --examples 1 scan.json
expect_rc 0
jq -e '[.stores[].id] | index("folder:tree/uploads/2024") and index("folder:tree/uploads")' out >/dev/null || fail "group-depth 2"
jq -e '[.stores[].examples | length] | max == 1' out >/dev/null || fail "--examples 1"
run "$FA" inventory --format json --group-depth 0 scan.json
jq -e '[.stores[] | select(.kind == "folder") | .id] == ["folder:tree"]' out >/dev/null || fail "group-depth 0"

# --- merging: the same tree twice plus a rescan of one folder counts once
"$FA" scan $RULES --format json -o part.json tree/uploads 2>/dev/null
run "$FA" inventory --format json scan.json scan.json part.json
expect_rc 0
jq -S '{stores, flows, summary}' inv.json > a.json
jq -S '{stores, flows, summary}' out > b.json
cmp -s a.json b.json || { diff a.json b.json | head -20; fail "merging duplicate documents changed the inventory"; }
# The same tree scanned under other spellings of its path (absolute; from inside it) is the
# same objects: documents join on location.uri, not on the path as typed.
"$FA" scan $RULES --format json -o abs.json "$WORK/tree" 2>/dev/null
( cd tree && "$FA" scan --rules "$WORK/pack.yaml" --rules "$TOP/rules/vendors.yaml" --format json -o ../dot.json . 2>/dev/null )
run "$FA" inventory --format json scan.json abs.json dot.json
expect_rc 0
jq -e --slurpfile one inv.json '.summary == $one[0].summary and (.stores | length) == ($one[0].stores | length)' out >/dev/null ||
    fail "one tree under three path spellings counted more than once: $(jq -c .summary out) vs $(jq -c .summary inv.json)"
# Standard input is a document too.
run sh -c "\"$FA\" inventory --format json - < scan.json"
expect_rc 0
jq -e '.summary.findings == 7' out >/dev/null || fail "stdin document: $(jq .summary.findings out) findings"

# --- the other formats
run "$FA" inventory --format md scan.json
expect_rc 0
expect_out '^## Stores'
expect_out '^## Flows'
expect_out '| tree/uploads | folder | face_image 2/2 |'
expect_out 'biometric data sent over plain http to rekognition.us-east-1.amazonaws.com'
expect_out 'upper bound'
run "$FA" inventory --format csv scan.json
expect_rc 0
expect_out '^record,id,kind,location,category,objects,findings,bytes,'
expect_out '^store,folder:tree/uploads,folder,tree/uploads,face_image,2,2,'
expect_out '^flow,.*,vendor,log:tree/logs/app.log,vendor_endpoint,,2,'
run "$FA" inventory --format dot scan.json
expect_rc 0
expect_out '^digraph faceaudit_inventory {'
expect_out '"application" -> "log:tree/logs/app.log"'
# Graphviz/fontconfig keep caches for the life of the process: not leaks of ours.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" run "$FA" inventory --format svg -o inv.svg scan.json
expect_rc 0
[ "$(stat -c %a inv.svg)" = 600 ] || fail "inv.svg mode $(stat -c %a inv.svg)"
grep -q '<svg' inv.svg || fail "no <svg> in the SVG output"
grep -q 'tree/uploads' inv.svg || fail "the SVG lacks the store label"

# --- errors: file:line:column, exit 2
printf '{"objects": [\n  {"location": {"path": "x"},}\n]}\n' > bad.json
run "$FA" inventory bad.json
expect_rc 2
expect_err 'bad.json:2:'
printf '{"objects": [],\n "findings": [{"rule_id": "r", "category": 7,\n  "location": {"path": "x"}}]}\n' > shape.json
run "$FA" inventory shape.json
expect_rc 2
expect_err 'shape.json:2:44: findings\[0\].category: must be a string'
run "$FA" inventory missing.json
expect_rc 2
expect_err 'missing.json'
run "$FA" inventory
expect_rc 2
run "$FA" inventory --format pdf scan.json
expect_rc 2
run "$FA" inventory --group-depth x scan.json
expect_rc 2
echo "inventory: ok"

# flow times come from the log lines' own timestamps (not the file time)
mkdir -p ts && cat > ts/calls.log <<'LOG'
2024-05-01T08:00:00Z POST https://api.kairos.com/enroll 200
10.0.0.1 - - [03/May/2024:12:30:00 +0200] "POST https://api.kairos.com/recognize HTTP/1.1" 200
LOG
touch -d 2030-01-01 ts/calls.log
"$FA" scan --quiet --rules "$TOP/rules/vendors.yaml" --format json -o ts.json ts; true
"$FA" inventory --format json ts.json > ts-inv.json || fail "inventory of ts.json"
jq -e '[.flows[] | select(.to.host == "api.kairos.com")][0] | .count == 2 and .first_seen == "2024-05-01T08:00:00Z" and .last_seen == "2024-05-03T10:30:00Z"' ts-inv.json >/dev/null \
    || fail "flow times from log lines: $(jq -c '.flows' ts-inv.json)"
