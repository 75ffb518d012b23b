#!/bin/sh
# Regenerates samples/embeddings/ (synthetic face templates for `make demo`): a .npy gallery
# of 4 unit-norm 512-d float32 vectors, a face_recognition-style pickle of 2 encodings and a
# JSON API log with one enrolment response carrying an embedding. Deterministic (fixed seed).
set -eu
PY=/usr/bin/python3
"$PY" -c 'import numpy' 2>/dev/null || PY=python3
exec "$PY" "$(dirname "$0")/templates_corpus.py" samples "${1:-samples/embeddings}"
