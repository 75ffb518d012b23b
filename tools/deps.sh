#!/bin/sh
# Installs exactly the Debian 12 packages faceaudit needs to build, test, demo and bench.
# Idempotent: installs only what is missing; needs root (apt-get) only then.
set -e
PKGS="gcc g++ make pkg-config libarchive-dev libjansson-dev libpcre2-dev libyaml-dev libcriterion-dev libsqlite3-dev time \
 libarchive-tools ripgrep zip unzip p7zip-full xz-utils bzip2 zstd lz4 file jq"
[ -f tools/deps.extra ] && PKGS="$PKGS $(grep -v '^#' tools/deps.extra | tr '\n' ' ')"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# Node.js and npm run the SARIF validator in the tests; a machine may have them from elsewhere.
command -v npm >/dev/null 2>&1 || missing="$missing nodejs npm"
if [ -n "$missing" ]; then
echo "deps: installing:$missing" >&2
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2
$SUDO apt-get install -y -qq --no-install-recommends $missing >&2
fi
# npm tools for the tests (the SARIF validator, the s3rver S3 server), pinned by tests/package-lock.json.
if [ ! -x tests/node_modules/.bin/sarif-multitool ] || [ ! -x tests/node_modules/.bin/s3rver ]; then
    echo "deps: installing npm test tools" >&2
    (cd tests && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
# npm 11 does not run the package's postinstall (chmod) unless approved: do it here.
for f in tests/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool; do
    [ -f "$f" ] && [ ! -x "$f" ] && chmod u+x "$f"
done
exit 0
