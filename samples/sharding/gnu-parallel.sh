#!/bin/sh
# A sharded faceaudit scan with GNU parallel, across the machines listed in ~/.parallel/sshloginfile
# (or locally without --sshloginfile): N parts, then one merge.
# usage: samples/sharding/gnu-parallel.sh TARGET [N]
set -eu
target=${1:?usage: gnu-parallel.sh TARGET [N]}
n=${2:-4}
seq 1 "$n" | parallel --jobs "$n" \
    "faceaudit scan --quiet --shard {}/$n --format json -o part-{}.json '$target'; test \$? -le 1"
faceaudit merge scan.json $(seq -f 'part-%g.json' 1 "$n")
echo "merged $n parts into scan.json"
