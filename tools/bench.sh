#!/bin/sh
# make bench: runs every benchmark (tools/bench-*.sh). Each prints faceaudit's figures as a
# ratio against a named baseline tool run on the same input in the same process, plus peak RSS.
rc=0
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(free -g | awk '/Mem:/{print $2}') GiB"
for b in tools/bench-*.sh; do
    [ -e "$b" ] || continue
    echo "== $(basename "$b" .sh)"
    sh "$b" || rc=1
done
exit $rc
