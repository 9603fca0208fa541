#!/usr/bin/env bash
# Submit the whole chain: training, then a generation array once training succeeded, then the combination
# once every array task succeeded. Prints the three job ids. Run from the repository root.
#   slurm/workflow.sh
#   TASKS=10 EVENTS=100000 CARD=cards/wplus_2j.toml MODEL=out/w2j.h5 OUTDIR=out/w2j slurm/workflow.sh
#
# Environment: everything slurm/train.sbatch, generate.sbatch and combine.sbatch read (NISGEN, CARD, MODEL,
# STEPS, SEED, QUIET, EVENTS, OUTDIR, BASE_SEED, LHE, WEIGHTED, OUTPUT) is passed on to the jobs, and:
#   TASKS          number of generation tasks (array 0..TASKS-1)              [4]
#   TRAIN_OPTS     extra sbatch options for the training job, space-separated   []
#   GENERATE_OPTS  extra sbatch options for each generation task              []
#   COMBINE_OPTS   extra sbatch options for the combination job               []
#   e.g. TRAIN_OPTS="-N 2 -n 8 --time=08:00:00" GENERATE_OPTS="-n 4 --overcommit"
# Output, one line each: train=ID, generate=ID (the array job id), combine=ID.
set -euo pipefail
cd "$(dirname "$0")/.."

TASKS=${TASKS:-4}
[[ $TASKS =~ ^[1-9][0-9]*$ ]] || { echo "workflow.sh: error: TASKS must be a positive integer, not '$TASKS'" >&2; exit 1; }
command -v sbatch >/dev/null || { echo "workflow.sh: error: no sbatch on PATH (Slurm client tools)" >&2; exit 1; }
read -r -a train_opts <<<"${TRAIN_OPTS:-}"
read -r -a generate_opts <<<"${GENERATE_OPTS:-}"
read -r -a combine_opts <<<"${COMBINE_OPTS:-}"

# `sbatch --parsable` prints "id" or "id;cluster".
submit() {
    local out
    out=$(sbatch --parsable "$@") || { echo "workflow.sh: error: sbatch $* failed" >&2; exit 1; }
    echo "${out%%;*}"
}

export EXPECTED=$TASKS
train=$(submit "${train_opts[@]}" slurm/train.sbatch)
generate=$(submit --dependency="afterok:$train" --array="0-$((TASKS - 1))" "${generate_opts[@]}" slurm/generate.sbatch)
combine=$(submit --dependency="afterok:$generate" "${combine_opts[@]}" slurm/combine.sbatch)
echo "train=$train"
echo "generate=$generate"
echo "combine=$combine"
