# End-to-end: base64 images of real sizes in text (a 60 KB and a 2 MB JPEG), as a JSON field,
# a data: URI, JSON with escaped slashes and a bare run in a log line. The patterns must not
# run out of PCRE2's JIT stack on long runs (they once did beyond about 35 KB: a silent miss
# with a regex_limit error).
. "$TOP/tests/lib/e2e.sh"
command -v jq >/dev/null || skip "jq is not installed"
[ -f "$TOP/samples/images/astronaut-face.jpg" ] || skip "samples/images/astronaut-face.jpg missing"
python3 - "$TOP/samples/images/astronaut-face.jpg" <<'PY'
import base64, json, sys
img = open(sys.argv[1], "rb").read()
for kb in (60, 2048):
    # JPEG decoders stop at the end-of-image marker: padding after it keeps the same picture.
    b = base64.b64encode(img + b"\0" * (kb * 1024)).decode()
    open(f"field{kb}.log", "w").write('{"ts":"2025-01-01T00:00:00Z","selfie":"%s"}\n' % b)
    open(f"uri{kb}.log", "w").write("POST /x body=data:image/jpeg;base64,%s\n" % b)
    open(f"esc{kb}.log", "w").write(json.dumps({"img": b}).replace("/", "\\/") + "\n")
    open(f"bare{kb}.log", "w").write("payload %s end\n" % b)
# a long run with stray backslashes that is not an image: no finding, no error
open("noise.log", "w").write("x /9j/" + "AAAA\\q" * 40000 + "\n")
PY
run "$FA" scan --rules "$TOP/rules/faces.yaml" --format json .
expect_rc 1
jq -e '.errors == [] and .limits == []' out >/dev/null || fail "errors or limits: $(jq -c '[.errors, .limits]' out | head -c 600)"
for f in field60 uri60 esc60 bare60 field2048 uri2048 esc2048 bare2048; do
    jq -e --arg p "./$f.log" '[.findings[] | select(.location.path == $p and .category == "face_image" and .location.line == 1)] | length == 1' out >/dev/null ||
        fail "$f.log: no face_image finding: $(jq -c --arg p "./$f.log" '[.findings[] | select(.location.path == $p) | .rule_id]' out)"
done
jq -e '[.findings[] | select(.location.path == "./noise.log")] | length == 0' out >/dev/null || fail "noise.log reported"
exit 0
