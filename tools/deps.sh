#!/bin/sh
# Installs exactly the Debian 12 packages faceaudit needs to build, test, demo and bench.
# Idempotent: installs only what is missing; needs root (apt-get) only then.
set -e
PKGS="gcc g++ make pkg-config libarchive-dev libjansson-dev libpcre2-dev libyaml-dev libcriterion-dev \
 libarchive-tools ripgrep zip unzip p7zip-full xz-utils bzip2 zstd lz4 file jq"
[ -f tools/deps.extra ] && PKGS="$PKGS $(grep -v '^#' tools/deps.extra | tr '\n' ' ')"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing:$missing" >&2
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2
$SUDO apt-get install -y -qq --no-install-recommends $missing >&2
