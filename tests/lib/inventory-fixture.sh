# Shared fixture for tests/e2e/inventory.sh and retention.sh (owner: inventory): a small
# tree with fixed mtimes (and archive member times), a custom rule pack that makes
# face_image / face_template findings deterministic, and a real scan of it (scan.json).
# Sourced after tests/lib/e2e.sh; works in $WORK.
TZ=UTC; export TZ   # zip stores member times in local time
command -v jq >/dev/null || skip "jq is not installed"
command -v zip >/dev/null || skip "zip is not installed"

cat > pack.yaml <<'YAML'
id: invtest
version: 1.0.0
description: deterministic face findings for the inventory and retention tests
rules:
  - id: test.face-file
    kind: path
    category: face_image
    severity: high
    description: files named face_N.jpg stand in for photos with a face
    pattern: '(^|[/!])face_[0-9]+\.jpg$'
    match_on: path
    examples:
      match: ["face_1.jpg", "a.zip!faces/face_2.jpg"]
      no_match: ["faces.txt", "a/surface_1.png"]
  - id: test.face-vector
    kind: regex
    category: face_template
    severity: high
    description: a line that carries a face embedding marker
    keywords: [facevec]
    pattern: 'FACEVEC\[[0-9]+\]'
    examples:
      match: ["emb FACEVEC[128] ...", "FACEVEC[512]"]
      no_match: ["FACEVEC", "vec[128]"]
YAML

mkdir -p src/faces tree/uploads/2024 tree/backups tree/logs tree/config
printf 'not really a jpeg 1\n' > tree/uploads/2024/face_1.jpg
printf 'not really a jpeg 2\n' > tree/uploads/face_2.jpg
printf 'nothing\n' > tree/uploads/clean.txt
printf 'not really a jpeg 3\n' > src/faces/face_3.jpg
touch -d '2022-05-05T00:00:00Z' src/faces/face_3.jpg
(cd src && zip -q -X ../tree/backups/old.zip faces/face_3.jpg) || fail "zip failed"
cat > tree/logs/app.log <<'LOG'
2025-01-02T10:00:00Z POST http://rekognition.us-east-1.amazonaws.com/ HTTP/1.1
2025-01-02T10:00:01Z debug embedding FACEVEC[128] stored
2025-01-03T11:00:00Z POST http://rekognition.us-east-1.amazonaws.com/ HTTP/1.1
LOG
printf 'face_api: https://api-us.faceplusplus.com/facepp/v3/detect\n' > tree/config/settings.yaml
touch -d '2024-01-10T00:00:00Z' tree/uploads/2024/face_1.jpg
touch -d '2025-06-01T00:00:00Z' tree/uploads/face_2.jpg tree/uploads/clean.txt
touch -d '2023-01-01T00:00:00Z' tree/backups/old.zip
touch -d '2025-01-01T00:00:00Z' tree/logs/app.log
touch -d '2024-06-01T00:00:00Z' tree/config/settings.yaml

RULES="--rules pack.yaml --rules $TOP/rules/vendors.yaml"
# shellcheck disable=SC2086
"$FA" scan $RULES --format json -o scan.json tree 2>scan.err
rc=$?
[ "$rc" -eq 1 ] || { cat scan.err; fail "scan of the fixture exited $rc, want 1 (findings)"; }
jq -e '.objects | length > 0' scan.json >/dev/null || fail "the scan document lists no objects"
