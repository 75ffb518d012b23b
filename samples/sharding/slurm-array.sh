#!/bin/sh
# A sharded faceaudit scan as a Slurm job array: sbatch samples/sharding/slurm-array.sh
# Each array task scans its part of the tree; a dependent job merges the parts:
#   sbatch --dependency=afterok:<jobid> --wrap 'faceaudit merge scan.json parts/part-*.json'
#SBATCH --job-name=faceaudit
#SBATCH --array=1-8
#SBATCH --cpus-per-task=2
#SBATCH --mem=1G
#SBATCH --time=04:00:00
set -eu
mkdir -p parts
exec faceaudit scan --quiet -j "${SLURM_CPUS_PER_TASK:-2}" \
    --shard "${SLURM_ARRAY_TASK_ID}/${SLURM_ARRAY_TASK_COUNT:-8}" \
    --format json -o "parts/part-${SLURM_ARRAY_TASK_ID}.json" /srv/exports
