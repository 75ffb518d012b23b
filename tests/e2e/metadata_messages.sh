#!/bin/sh
# Metadata finding messages say what each schema holds: MWG and Microsoft Photo tag face
# regions; IPTC PersonInImage only names people (no region), so its message counts people.
# The evidence keys are the same for every schema.
. "$TOP/tests/lib/e2e.sh"
command -v jq >/dev/null || skip "jq not installed"
EX="$TOP/rules/examples"
R="--rules $TOP/rules/faces.yaml"

mkdir -p m
cp "$EX/xmp-iptc-person.jpg" m/one.jpg
cp "$EX/xmp-iptc-people.png" m/two.png
cp "$EX/xmp-mwg-face.jpg" m/mwg.jpg
cp "$EX/xmp-mwg-faces.png" m/mwg2.png
run "$FA" scan $R --format json --fail-on none m
expect_rc 0
msg() { jq -r --arg p "$1" --arg r "$2" '.findings[] | select(.location.path == $p and .rule_id == $r) | .message' out; }
[ "$(msg m/one.jpg face.metadata.iptc_person)" = "1 person named in XMP (IPTC PersonInImage) metadata" ] \
    || fail "IPTC message (1): $(msg m/one.jpg face.metadata.iptc_person)"
[ "$(msg m/two.png face.metadata.iptc_person)" = "2 people named in XMP (IPTC PersonInImage) metadata" ] \
    || fail "IPTC message (2): $(msg m/two.png face.metadata.iptc_person)"
[ "$(msg m/mwg.jpg face.metadata.mwg_regions)" = "1 face region tagged in XMP (MWG) metadata, with person names" ] \
    || fail "MWG message: $(msg m/mwg.jpg face.metadata.mwg_regions)"
[ "$(msg m/mwg2.png face.metadata.mwg_regions)" = "2 face regions tagged in XMP (MWG) metadata" ] \
    || fail "MWG message without names: $(msg m/mwg2.png face.metadata.mwg_regions)"
jq -e '[.findings[] | select(.rule_id == "face.metadata.iptc_person") | .evidence
        | select(.schema == "iptc" and .has_names == true and (.regions | type) == "number" and (keys - ["regions","schema","has_names","sha256"]) == [])]
       | length == 2' out >/dev/null || fail "IPTC evidence keys changed: $(jq -c '[.findings[].evidence]' out)"
jq -e '[.findings[] | select(.location.path == "m/two.png") | .evidence.regions] == [2]' out >/dev/null \
    || fail "two.png: 2 people expected"
! grep -q "Example" out || fail "a person name leaked into the output"
exit 0
