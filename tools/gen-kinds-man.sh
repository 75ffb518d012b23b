#!/bin/sh
# Maintainer tool: regenerates man/faceaudit-kinds.7 from doc/kind-*.md (the field references
# of the image, metadata and vector rule kinds) with pandoc. The output is committed, so
# building and installing faceaudit never needs pandoc.
set -eu
cd "$(dirname "$0")/.."
{
    printf '%% FACEAUDIT-KINDS(7) faceaudit %s | faceaudit manual\n\n' "$(cat VERSION)"
    printf '# NAME\n\nfaceaudit-kinds - the image, metadata and vector rule kinds of faceaudit rule packs\n\n'
    printf '# DESCRIPTION\n\nThe pack format and the regex and path kinds are in **faceaudit-rules**(5). This page is the field reference of the detector kinds.\n\n'
    for k in image metadata vector; do
        # demote headings one level, so each kind is a section
        sed -e 's/^## /### /' -e 's/^# /## /' "doc/kind-$k.md" | sed -e '1s/^## /# /'
        printf '\n'
    done
    printf '# SEE ALSO\n\n**faceaudit-rules**(5), **faceaudit-scan**(1)\n'
} | pandoc -s -f markdown -t man -o man/faceaudit-kinds.7
echo "wrote man/faceaudit-kinds.7"
