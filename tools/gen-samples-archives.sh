#!/bin/sh
# Regenerates samples/backups/: a nested archive (a zip inside a tar.gz) holding an
# application log with face-API calls and an embedding export — what a backup of a
# face-recognition service looks like. Deterministic: fixed times, sorted members.
set -eu
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/export/logs" "$tmp/export/faces" samples/backups
cat > "$tmp/export/logs/enroll.log" <<'LOG'
2024-03-02T09:14:07Z INFO enroll user=4411 POST https://api-us.faceplusplus.com/facepp/v3/detect 200 412ms
2024-03-02T09:14:08Z INFO enroll user=4411 POST https://api.kairos.com/enroll 200 388ms
2024-03-02T09:15:40Z INFO health GET https://status.example.org/ping 200 3ms
LOG
cp samples/embeddings/api.log "$tmp/export/faces/match-api.log"
find "$tmp/export" -exec touch -d 2024-03-02T10:00:00Z {} +
(cd "$tmp/export" && zip -qX -r ../uploads.zip logs faces)
touch -d 2024-03-02T10:00:00Z "$tmp/uploads.zip"
tar --sort=name --mtime=2024-03-03T00:00:00Z --owner=0 --group=0 --numeric-owner \
    -C "$tmp" -cf - uploads.zip | gzip -n -9 > samples/backups/2024-03-export.tar.gz
echo "wrote samples/backups/2024-03-export.tar.gz ($(stat -c %s samples/backups/2024-03-export.tar.gz) bytes)"
