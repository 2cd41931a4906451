#!/usr/bin/env bash
# A sweep as a Slurm job array: 10 tasks, each running one shard of the same spec into one
# store on a shared file system. Submit it, and a merge that waits for all of it:
#
#   mkdir -p logs
#   jid=$(sbatch --parsable examples/slurm_array.sh)
#   sbatch --dependency=afterok:$jid --wrap "acsa merge results/sobol"
#
# After a time-out or a lost node, submit the array again: --resume skips the runs already stored.

#SBATCH --job-name=acsa-sobol
#SBATCH --array=0-9
#SBATCH --cpus-per-task=8
#SBATCH --mem=8G
#SBATCH --time=04:00:00
#SBATCH --output=logs/%x-%A_%a.out

set -euo pipefail
# Load your Python here, e.g.: module load python/3.11; source ~/venvs/acsa/bin/activate

SPEC=examples/sobol.toml
OUT=results/sobol

# Each task runs the core on all the cores Slurm gave it.
export RAYON_NUM_THREADS=${SLURM_CPUS_PER_TASK:-1}
acsa sweep "$SPEC" --out "$OUT" --shard "${SLURM_ARRAY_TASK_ID}/${SLURM_ARRAY_TASK_COUNT}" --resume --no-progress
