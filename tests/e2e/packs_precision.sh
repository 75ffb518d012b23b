#!/bin/sh
# Precision of the shipped rule packs on generated logs and trees:
#  - rules/vendors.yaml: a log with thousands of near-miss lines (other AWS, Azure and
#    Google services, Stripe, docs links, prose about faces, lookalike hosts) and a known
#    set of real face-API calls; the findings must be exactly those lines, with the right
#    rule id, scheme and host, and nothing else. An innocent-only log gives no finding.
#  - rules/paths.yaml: a tree (and a zip) with face data set layouts and lookalike names;
#    the findings must be exactly the expected (path, rule) pairs.
. "$TOP/tests/lib/e2e.sh"
command -v jq >/dev/null 2>&1 || skip "jq not installed"

VENDORS=$TOP/rules/vendors.yaml
PATHS=$TOP/rules/paths.yaml

# ------------------------------------------------------------------ the log
LOG=$WORK/calls.log
: >"$LOG"
: >"$WORK/expected"
n=0
# real RULE LINE: a face-API call that RULE must report on this line.
real() { n=$((n + 1)); printf '%s\n' "$2" >>"$LOG"; printf '%s %s\n' "$n" "$1" >>"$WORK/expected"; }
# noise LINE: a near miss that no rule may report.
noise() { n=$((n + 1)); printf '%s\n' "$1" >>"$LOG"; }

# Near misses: the same services' neighbours, docs links and prose. Each is emitted many
# times with a varying request id so the prefilter and per-line matching see volume.
cat >"$WORK/near" <<'EOF'
{"level":"debug","msg":"http request","method":"PUT","url":"https://s3.amazonaws.com/acme-faces/uploads/REQ.jpg","status":200}
{"level":"debug","msg":"http request","method":"GET","url":"https://acme-uploads.s3.eu-west-1.amazonaws.com/rekognition/REQ.json","status":200}
{"level":"debug","msg":"http request","method":"POST","url":"https://textract.us-east-1.amazonaws.com/","target":"Textract.AnalyzeDocument","req":"REQ"}
{"level":"debug","msg":"http request","method":"POST","url":"https://comprehend.us-east-1.amazonaws.com/","target":"Comprehend_20171127.DetectPiiEntities","req":"REQ"}
{"level":"debug","msg":"http request","method":"POST","url":"https://rekognition.us-east-1.amazonaws.com/","target":"RekognitionService.DetectLabels","req":"REQ"}
{"level":"debug","msg":"http request","method":"POST","url":"https://rekognition.us-east-1.amazonaws.com/","target":"RekognitionService.DetectText","req":"REQ"}
X-Amz-Target: RekognitionService.DetectModerationLabels
X-Amz-Target: RekognitionService.CreateCollection
[AWS rekognition 200 0.120s 0 retries] detectLabels({ Image: [Object] }) REQ
{"clientName":"RekognitionClient","commandName":"DetectTextCommand","req":"REQ"}
{"clientName":"S3Client","commandName":"PutObjectCommand","input":{"Key":"faces/DetectFaces-REQ.jpg"}}
{"eventSource":"rekognition.amazonaws.com","eventName":"StartLabelDetection","awsRegion":"us-east-1","requestID":"REQ"}
+ aws rekognition detect-labels --image S3Object={Bucket=media,Name=REQ.jpg}
+ aws s3 cp s3://acme-faces/REQ.zip .
GET https://console.aws.amazon.com/rekognition/home?region=us-east-1#/face-detection REQ
see https://docs.aws.amazon.com/rekognition/latest/dg/faces-detect-images.html (REQ)
GET https://rekognition.us-east-1.amazonaws.com.mirror.example/ REQ
GET https://myrekognition.us-east-1.amazonaws.com/ REQ
{"level":"info","msg":"http request","method":"POST","url":"https://api.stripe.com/v1/charges","status":200,"req":"REQ"}
{"level":"info","msg":"http request","method":"POST","url":"https://api.stripe.com/v1/identity/verification_sessions","status":200,"req":"REQ"}
POST https://acme.cognitiveservices.azure.com/text/analytics/v3.1/sentiment REQ
POST https://face-team.cognitiveservices.azure.com/formrecognizer/documentModels/prebuilt-idDocument:analyze REQ
POST https://westus.api.cognitive.microsoft.com/vision/v3.2/ocr REQ
POST https://westus.api.cognitive.microsoft.com/vision/v3.2/analyze?visualFeatures=Tags,Description REQ
GET https://acme.blob.core.windows.net/face/v1.0/REQ.jpg
docs: https://learn.microsoft.com/en-us/rest/api/face/face-detection-operations/detect REQ
{"req":"POST https://vision.googleapis.com/v1/images:annotate","features":["TEXT_DETECTION"],"id":"REQ"}
{"req":"POST https://vision.googleapis.com/v1/files:annotate","features":["DOCUMENT_TEXT_DETECTION"],"id":"REQ"}
POST https://vision.googleapis.com/v1/files:asyncBatchAnnotate HTTP/1.1 REQ
POST https://language.googleapis.com/v1/documents:analyzeSentiment FACE_DETECTION REQ
see https://cloud.google.com/vision/docs/detecting-faces (REQ)
POST https://api-cn.faceplusplus.com/cardpp/v1/ocridcard REQ
GET https://www.faceplusplus.com/face-detection/ REQ
POST http://kairosdb.internal:8080/api/v1/datapoints REQ
GET https://www.kairos.com/docs/api/ REQ
GET https://luxand.cloud/face-recognition-api REQ
GET https://ocr-api.cn-hangzhou.aliyuncs.com/?Action=RecognizeGeneral&id=REQ
POST https://ocr.tencentcloudapi.com/ X-TC-Action: GeneralBasicOCR REQ
POST https://aip.baidubce.com/rest/2.0/ocr/v1/general_basic?id=REQ
POST https://aip.baidubce.com/oauth/2.0/token REQ
GET https://api.skybiometry.com/fc/account/limits.json?id=REQ
GET https://www.betafaceapi.com/wpa/index.php?id=REQ
POST https://api.sightengine.com/1.0/check.json?models=nudity-2.1,gore-2.0&id=REQ
POST https://api.clarifai.com/v2/models/general-image-recognition/outputs REQ
INFO user REQ updated their profile photo; face data retention policy applies
INFO the typefaces and surfaces of the interfaces were redesigned (REQ)
WARN rekognition quota at 80% for account REQ
DEBUG detectFaces() called in local OpenCV pipeline, no network (REQ)
EOF

nnear=$(wc -l <"$WORK/near")
i=0
while [ $i -lt 60 ]; do
    i=$((i + 1))
    sed "s/REQ/r-$i/g" "$WORK/near" >>"$LOG"
    n=$((n + nnear))
    # Real calls, spread through the noise. Each vendor appears in several forms.
    case $i in
    3)  real vendor.aws.rekognition.endpoint 'POST https://rekognition.us-east-1.amazonaws.com/ HTTP/1.1'
        real vendor.aws.rekognition.endpoint '{"url":"https://rekognition-fips.us-gov-west-1.amazonaws.com/","status":200}'
        real vendor.aws.rekognition.face_action 'X-Amz-Target: RekognitionService.DetectFaces'
        real vendor.aws.rekognition.face_action '{"method":"POST","url":"http://rekognition.eu-west-1.amazonaws.com/","target":"RekognitionService.IndexFaces"}'
        real vendor.aws.rekognition.face_action 'User: arn:aws:sts::111122223333:assumed-role/app/i-0 is not authorized to perform: rekognition:SearchFacesByImage'
        real vendor.aws.rekognition.face_action '{"eventSource":"rekognition.amazonaws.com","eventName":"CompareFaces","awsRegion":"us-east-1"}'
        real vendor.aws.rekognition.face_action "[AWS rekognition 200 0.412s 0 retries] searchFacesByImage({ CollectionId: 'staff' })"
        real vendor.aws.rekognition.face_action '{"level":30,"clientName":"RekognitionClient","commandName":"DetectFacesCommand"}'
        real vendor.aws.rekognition.cli '+ aws --region eu-west-1 rekognition index-faces --collection-id staff' ;;
    9)  real vendor.azure.face 'POST https://contoso-face.cognitiveservices.azure.com/face/v1.0/detect?returnFaceId=true HTTP/1.1'
        real vendor.azure.face 'POST http://eastus.api.cognitive.microsoft.com/face/v1.0/identify 200'
        real vendor.azure.face "$(printf 'face_endpoint: https://acme.cognitiveservices.azure.com/face/v1.0\r')"
        real vendor.azure.vision_faces 'POST https://westus2.api.cognitive.microsoft.com/vision/v2.0/analyze?visualFeatures=Faces HTTP/1.1' ;;
    17) real vendor.google.vision.face_detection '{"req":"POST https://vision.googleapis.com/v1/images:annotate","features":["FACE_DETECTION"],"status":200}'
        real vendor.google.vision.face_detection '{"features":[{"type":"FACE_DETECTION"}],"endpoint":"https://eu-vision.googleapis.com/v1/projects/p/locations/eu/images:annotate"}'
        real vendor.google.vision.annotate '10.0.3.7 - - [02/Mar/2025:10:00:01 +0000] "POST https://vision.googleapis.com/v1/images:annotate HTTP/1.1" 200 5123' ;;
    23) real vendor.megvii.facepp 'curl -X POST "https://api-cn.faceplusplus.com/facepp/v3/detect" -F "api_key=<key>"'
        real vendor.megvii.facepp 'POST http://api-us.faceplusplus.com/facepp/v3/search 200'
        real vendor.kairos 'r = requests.post("https://api.kairos.com/enroll", data=payload)'
        real vendor.kairos 'POST https://api.kairos.com/verify 200'
        real vendor.luxand 'fetch("https://api.luxand.cloud/photo/search", opts)'
        real vendor.luxand 'DELETE https://api.luxand.cloud/subject/88213 200' ;;
    31) real vendor.alibaba.facebody 'GET https://facebody.cn-shanghai.aliyuncs.com/?Action=DetectFace&Version=2019-12-30'
        real vendor.tencent.iai 'POST https://iai.tencentcloudapi.com/ X-TC-Action: SearchFaces'
        real vendor.baidu.face 'POST https://aip.baidubce.com/rest/2.0/face/v3/detect?access_token=<t>'
        real vendor.skybiometry 'POST https://api.skybiometry.com/fc/faces/detect.json'
        real vendor.betaface 'POST https://www.betafaceapi.com/api/v2/media 200'
        real vendor.sightengine.face 'GET https://api.sightengine.com/1.0/check.json?models=face-attributes&url=x'
        real vendor.clarifai.face 'POST https://api.clarifai.com/v2/models/face-detection/outputs' ;;
    47) real vendor.aws.rekognition.endpoint 'GET https://rekognition.cn-north-1.amazonaws.com.cn/ 403'
        real vendor.azure.face 'url = "https://api.projectoxford.ai/face/v1.0/detect?returnFaceAttributes=age"' ;;
    esac
done
# A long line ending in a keyword: the regex must give up quickly and report nothing.
noise "$(head -c 200000 /dev/zero | tr '\0' 'a') rekognition vision.googleapis.com /face/v"

run "$FA" scan --format jsonl --rules "$VENDORS" "$LOG"
expect_rc 1
jq -r '"\(.location.line) \(.rule_id)"' "$WORK/out" | sort -n >"$WORK/actual" || fail "jsonl output is not JSON"
sort -n "$WORK/expected" >"$WORK/expected.s"
if ! cmp -s "$WORK/actual" "$WORK/expected.s"; then
    echo "per-rule counts (expected vs actual):"
    cut -d' ' -f2 "$WORK/expected.s" | sort | uniq -c >"$WORK/ce"
    cut -d' ' -f2 "$WORK/actual" | sort | uniq -c >"$WORK/ca"
    diff "$WORK/ce" "$WORK/ca"
    echo "line-level differences (< expected, > actual):"
    diff "$WORK/expected.s" "$WORK/actual" | head -40
    fail "vendors.yaml findings differ from the expected calls ($(wc -l <"$WORK/expected.s") expected, $(wc -l <"$WORK/actual") found)"
fi
# Exact count per rule (the same data as above, stated the way a reader checks it).
count() { jq -s --arg r "$1" '[.[] | select(.rule_id == $r)] | length' "$WORK/out"; }
for spec in vendor.aws.rekognition.endpoint:3 vendor.aws.rekognition.face_action:6 vendor.aws.rekognition.cli:1 \
            vendor.azure.face:4 vendor.azure.vision_faces:1 vendor.google.vision.face_detection:2 \
            vendor.google.vision.annotate:1 vendor.megvii.facepp:2 vendor.kairos:2 vendor.luxand:2 \
            vendor.alibaba.facebody:1 vendor.tencent.iai:1 vendor.baidu.face:1 vendor.skybiometry:1 \
            vendor.betaface:1 vendor.sightengine.face:1 vendor.clarifai.face:1; do
    got=$(count "${spec%:*}")
    [ "$got" = "${spec#*:}" ] || fail "${spec%:*}: $got findings, expected ${spec#*:}"
done
# Every finding is a vendor_endpoint with a vendor name; URL rules say scheme and host.
jq -e -s 'all(.[]; .category == "vendor_endpoint" and (.evidence.vendor | type) == "string"
              and (.evidence.sha256 | test("^[0-9a-f]{64}$")))' "$WORK/out" >/dev/null ||
    fail "a finding lacks category, vendor or sha256"
jq -e -s 'all(.[] | select(.rule_id | test("rekognition\\.(face_action|cli)$") | not);
              .evidence.scheme != null and .evidence.host != null)' "$WORK/out" >/dev/null ||
    fail "a URL rule finding lacks evidence.scheme/host"
# Plain-http calls keep scheme "http" (the inventory flags them), https ones "https".
jq -e -s '[.[] | select(.evidence.scheme == "http") | .evidence.host] | sort ==
          ["api-us.faceplusplus.com","eastus.api.cognitive.microsoft.com","rekognition.eu-west-1.amazonaws.com"]' \
    "$WORK/out" >/dev/null || fail "wrong set of plain-http hosts: $(jq -c -s '[.[] | select(.evidence.scheme == "http") | .evidence.host]' "$WORK/out")"
jq -e -s '[.[] | select(.rule_id == "vendor.aws.rekognition.face_action") | .evidence.action] | sort ==
          ["CompareFaces","DetectFaces","DetectFaces","IndexFaces","SearchFacesByImage","searchFacesByImage"]' "$WORK/out" >/dev/null ||
    fail "wrong Rekognition actions"
# Evidence holds only non-biometric facts named by the pack.
jq -e -s 'all(.[]; .evidence | keys - ["vendor","scheme","host","action","timestamp","sha256"] == [])' "$WORK/out" >/dev/null ||
    fail "unexpected evidence keys"

# The near misses alone: no finding, exit 0.
awk 'NR==FNR { real[$1] = 1; next } !(FNR in real)' "$WORK/expected" "$LOG" >"$WORK/innocent.log"
[ "$(wc -l <"$WORK/innocent.log")" -eq $((n - $(wc -l <"$WORK/expected"))) ] || fail "could not build innocent.log"
run "$FA" scan --format jsonl --rules "$VENDORS" "$WORK/innocent.log"
expect_rc 0
[ ! -s "$WORK/out" ] || { head -5 "$WORK/out"; fail "findings on near-miss lines"; }

# ------------------------------------------------------------------ the paths pack
T=$WORK/tree
mk() { mkdir -p "$T/$(dirname "$1")" && : >"$T/$1"; }
# expected hits: path below the target, rule id
cat >"$WORK/pexp" <<'EOF'
datasets/lfw/README.txt face.path.dataset.lfw
datasets/lfw/George_W_Bush/George_W_Bush_0001.jpg face.path.dataset.lfw
datasets/lfw-deepfunneled/Zico/Zico_0001.jpg face.path.dataset.lfw
celeba/Img/img_align_celeba/000001.jpg face.path.dataset.celeba
research/Anno/list_landmarks_align_celeba.txt face.path.dataset.celeba_annotations
research/Anno/identity_CelebA.txt face.path.dataset.celeba_annotations
WIDER_train/images/0--Parade/0_Parade_marchingband_1_5.jpg face.path.dataset.wider_face
vggface2/train/n000002/0001_01.jpg face.path.dataset.vggface2
insightface/faces_emore/train.rec face.path.dataset.ms_celeb
CASIA-WebFace/0000045/001.jpg face.path.dataset.casia_webface
ffhq-dataset/images1024x1024/00000/00042.png face.path.dataset.ffhq
UTKFace/25_0_2_20170116174525125.jpg.chip.jpg face.path.dataset.utkface
att_faces/s1/1.pgm face.path.dataset.other
uploads/selfies/2024/u123.jpg face.path.selfies
kyc/user_991_selfie.jpg face.path.selfies
app/known_faces/bob/1.png face.path.faces_folder
app/known_faces/encodings.pickle face.path.encodings
hr/id_photos/e1042.jpg face.path.id_photos
marketing/headshots/ceo.jpg face.path.headshots
export.zip!lfw/Ana_Lopez/Ana_Lopez_0001.jpg face.path.dataset.lfw
export.zip!selfie_images/1.png face.path.selfies
EOF
while read -r p _; do
    case $p in *!*) ;; *) mk "$p" ;; esac
done <"$WORK/pexp"
# near misses
for p in src/lfwriter/main.c flfw/notes.txt docs/lfw.md fonts/typefaces/serif.png \
         textures/surfaces/brick.png src/interfaces/faces.go faces/README.md book/preface.md \
         docs/selfiestick-review.txt reviews/selfie-stick-review.txt src/selfie_filter.py \
         imagenet/train/n01440764/n01440764_10026.JPEG CASIA-Iris-Thousand/000/L/S5000L00.jpg \
         gallery/grid_photos/a.jpg src/id_photos.py src/face_encodings.py research/Eval/list_eval_partition.txt \
         docs/headshot-guidelines.md src/widget_train/main.c images1024x1024/cat.png \
         mylib/datasets/lfw/__init__.py configs/celeba/stylegan2.yaml; do
    mk "$p"
done
if command -v python3 >/dev/null 2>&1; then
    python3 - "$T/export.zip" <<'EOF' || fail "could not build export.zip"
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr("lfw/Ana_Lopez/Ana_Lopez_0001.jpg", b"not really a jpeg")
    z.writestr("selfie_images/1.png", b"not really a png")
    z.writestr("fonts/typefaces/a.png", b"x")
EOF
else
    grep -v '^export.zip!' "$WORK/pexp" >"$WORK/pexp2" && mv "$WORK/pexp2" "$WORK/pexp"
fi
cd "$T" || fail "no tree"
run "$FA" scan --format jsonl --rules "$PATHS" .
cd "$WORK" || fail "no work dir"
expect_rc 1
jq -r '"\(.location.path | sub("^\\./"; ""))\(if (.location.members | length) > 0 then "!" + (.location.members | join("!")) else "" end) \(.rule_id)"' \
    "$WORK/out" | sort >"$WORK/pact" || fail "jsonl output is not JSON"
sort "$WORK/pexp" >"$WORK/pexp.s"
if ! cmp -s "$WORK/pact" "$WORK/pexp.s"; then
    diff "$WORK/pexp.s" "$WORK/pact"
    fail "paths.yaml findings differ from the expected (path, rule) pairs"
fi
jq -e -s 'all(.[]; .severity == "low" and (.category == "face_image" or .category == "face_template"
              or .category == "biometric_metadata"))' "$WORK/out" >/dev/null || fail "path hints must be low severity"

# The packs' own examples pass, and the packs lint clean (no catastrophic-backtracking
# shapes, keywords everywhere), when the rules command is there to say so.
if "$FA" rules test --help >/dev/null 2>&1; then
    run "$FA" rules test --rules "$VENDORS" --rules "$PATHS"
    expect_rc 0
    run "$FA" rules lint --strict "$VENDORS" "$PATHS"
    expect_rc 0
fi
echo "packs_precision: $n log lines, $(wc -l <"$WORK/expected") calls, $(wc -l <"$WORK/pexp") path hints: all exact"
