#!/bin/sh
# make eval: runs every detector's quality evaluation (tools/eval-*.sh); each prints its
# precision and recall and exits non-zero below its threshold.
rc=0
for e in tools/eval-*.sh; do
    [ -e "$e" ] || continue
    echo "== $(basename "$e" .sh)"
    sh "$e" || rc=1
done
exit $rc
