#!/bin/sh
# The face detector's measured quality on tests/eval/faces.tsv (Debian package images):
# fails below precision 0.95 or recall 0.85; skips only when those packages are absent.
. "$TOP/tests/lib/e2e.sh"
cd "$TOP" || exit 1
EVAL_NO_BASELINE=1 FA="$FA" TOP="$TOP" sh "$TOP/tools/eval-faces.sh"
