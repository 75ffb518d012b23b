#!/bin/sh
# Face images end to end: a face in a file, in a zip member, in base64 on a log line; a
# truncated JPEG (errors entry), a header claiming 100000x100000 (limits entry, nothing
# decoded), XMP face regions (and a Pet region that is not a finding).
. "$TOP/tests/lib/e2e.sh"
EX="$TOP/rules/examples"
[ -d /usr/share/opencv4/haarcascades ] || skip "opencv-data not installed"
command -v jq >/dev/null || skip "jq not installed"
command -v zip >/dev/null || skip "zip not installed"
R="--rules $TOP/rules/faces.yaml"

mkdir -p corpus/photos corpus/logs
cp "$EX/face-astronaut.jpg" corpus/photos/a.jpg
cp "$EX/cat-chelsea.jpg" corpus/photos/cat.jpg
(cd corpus/photos && zip -q ../uploads.zip a.jpg cat.jpg)
{ echo "2025-01-01 INFO start"; echo "2025-01-01 INFO nothing here"; cat "$EX/face-rekognition.jsonl"; } > corpus/logs/api.log
head -c 3000 "$EX/face-astronaut.jpg" > corpus/photos/truncated.jpg
# A PNG header claiming 100000 x 100000 (10^10 pixels) followed by nothing decodable.
printf '\211PNG\r\n\032\n\000\000\000\rIHDR\000\001\206\240\000\001\206\240\010\002\000\000\000\000\000\000\000' > corpus/photos/huge.png
cp "$EX/xmp-mwg-face.jpg" corpus/photos/tagged.jpg
cp "$EX/xmp-mwg-pet.jpg" corpus/photos/pet.jpg

run "$FA" scan $R --format json corpus
expect_rc 1
jq -e '[.findings[] | select(.rule_id=="face.image.cascade" and .location.path=="corpus/photos/a.jpg")] | length == 1' out >/dev/null || fail "face in a file"
jq -e '.findings[] | select(.location.path=="corpus/photos/a.jpg") | .evidence | .faces >= 1 and .width == 200 and .height == 200 and .image_type == "image/jpeg" and (.sha256 | length) == 64 and .largest_face_px > 32' out >/dev/null || fail "evidence of the face"
jq -e '.findings[] | select(.location.path=="corpus/photos/a.jpg") | .message | test("^1 face \\(largest [0-9]+ px\\) in a 200x200 JPEG$")' out >/dev/null || fail "message"
jq -e '[.findings[] | select(.location.path=="corpus/uploads.zip" and .location.members==["a.jpg"] and .category=="face_image")] | length == 1' out >/dev/null || fail "face in a zip member"
jq -e '[.findings[] | select(.location.path | test("cat"))] + [.findings[] | select(.location.members==["cat.jpg"])] | length == 0' out >/dev/null || fail "cat reported as a face"
jq -e '[.findings[] | select(.rule_id=="face.image.base64.inline" and .location.path=="corpus/logs/api.log" and .location.line==3 and .category=="face_image" and .evidence.encoding=="base64")] | length == 1' out >/dev/null || fail "base64 face on log line 3"
jq -e '[.errors[] | select(.location.path=="corpus/photos/truncated.jpg" and .code=="corrupt_image")] | length == 1' out >/dev/null || fail "truncated JPEG -> errors"
jq -e '[.limits[] | select(.location.path=="corpus/photos/huge.png" and .limit=="max_pixels")] | length == 1' out >/dev/null || fail "huge header -> limits"
jq -e '[.findings[] | select(.rule_id=="face.metadata.mwg_regions" and .location.path=="corpus/photos/tagged.jpg" and .category=="biometric_metadata" and .evidence.regions==1 and .evidence.has_names==true and .evidence.schema=="mwg")] | length == 1' out >/dev/null || fail "MWG face region"
jq -e '[.findings[] | select(.location.path=="corpus/photos/pet.jpg")] | length == 0' out >/dev/null || fail "Pet region reported"
# Never the content: no base64 of the image, no person name, in any output.
! grep -q "Jane Example" out || fail "a person name leaked into the output"
! grep -q "/9j/" out || fail "base64 leaked into the output"

# jsonl: the same findings, one per line, with the contract's location fields.
run "$FA" scan $R --format jsonl corpus/photos/a.jpg
expect_rc 1
jq -e 'select(.rule_id=="face.image.cascade") | .location | has("members") and has("line") and has("offset")' out >/dev/null || fail "jsonl location"

# --max-pixels lowers the limit: the 200x200 face (40000 px) is refused, not decoded.
run "$FA" scan $R --format json --max-pixels 30000 corpus/photos/a.jpg
jq -e '(.findings | length) == 0 and ([.limits[] | select(.limit=="max_pixels")] | length) == 1' out >/dev/null || fail "--max-pixels"

# --face-model: a missing file, a folder, or a file OpenCV's FaceDetectorYN cannot load stops
# the scan before it starts (exit 2, the file named, no output document); a real YuNet model
# (not shipped by Debian: set FACEAUDIT_TEST_YUNET=/path/face_detection_yunet_2022mar.onnx)
# finds the face with it.
run "$FA" scan $R --format json -o fm.json --face-model no-such-model.onnx corpus/photos/a.jpg
expect_rc 2
expect_err 'face-model: cannot read no-such-model.onnx'
[ ! -e fm.json ] || fail "a missing --face-model still wrote an output document"
[ ! -s out ] || fail "a missing --face-model still printed a document"
printf 'not an onnx model' > bogus.onnx
run "$FA" scan $R --format json -o fm.json --face-model bogus.onnx corpus/photos/a.jpg
expect_rc 2
expect_err 'face-model: cannot load bogus.onnx'
[ ! -e fm.json ] || fail "an unloadable --face-model still wrote an output document"
! grep -q 'a.jpg' err || fail "an unloadable --face-model still scanned: $(cat err)"
run "$FA" scan $R --format json --face-model bogus.onnx corpus/photos/a.jpg
expect_rc 2
[ ! -s out ] || fail "an unloadable --face-model still printed a document"
mkdir -p model.onnx
run "$FA" scan $R --format json --face-model model.onnx corpus/photos/a.jpg
expect_rc 2
expect_err 'face-model: model.onnx is not a regular file'
# A photo pasted on a flat light page (an ID scan, a form): the page's single grey level must
# not take the whole contrast range from the face. Dark and mid-grey pages as controls.
if /usr/bin/python3 -c 'import cv2' 2>/dev/null; then
    /usr/bin/python3 - "$TOP/samples/images/astronaut-face.jpg" <<'PY'
import cv2, numpy as np, os, sys
face = cv2.imread(sys.argv[1])
os.makedirs("pages", exist_ok=True)
for bg in (40, 128, 200, 255):
    for side in (600, 1800):
        page = np.full((side, side, 3), bg, np.uint8)
        s = side // 3
        f = cv2.resize(face, (s, s * face.shape[0] // face.shape[1]))
        page[s:s + f.shape[0], s:s + f.shape[1]] = f
        cv2.imwrite("pages/bg%d_%d.jpg" % (bg, side), page)
PY
    run "$FA" scan $R --format json pages
    expect_rc 1
    jq -e '[.objects[] | .location.path] - [.findings[] | select(.category == "face_image") | .location.path] == []' out >/dev/null ||
        fail "faces on flat pages missed: $(jq -c '[.objects[].location.path] - [.findings[].location.path]' out)"
fi
if [ -n "${FACEAUDIT_TEST_YUNET:-}" ] && [ -f "$FACEAUDIT_TEST_YUNET" ]; then
    run "$FA" scan $R --format json --face-model "$FACEAUDIT_TEST_YUNET" corpus/photos/a.jpg
    jq -e '(.errors | length) == 0 and (.findings[0].evidence.detector | test("yunet"; "i"))' out >/dev/null \
        || fail "YuNet model: $(jq -c '[.errors, .findings[0].evidence]' out)"
else
    echo "note: FACEAUDIT_TEST_YUNET not set; the YuNet path was not exercised" >&2
fi
exit 0
