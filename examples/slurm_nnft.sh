#!/bin/bash
# A Slurm batch script for a large NN-FT ensemble with feynn (issue 15, "Beyond one machine").
#
#   sbatch examples/slurm_nnft.sh             submit (edit the #SBATCH lines for your cluster)
#   sbatch examples/slurm_nnft.sh             after a time-out, a pre-emption or a lost node:
#                                             the same command resumes from the checkpoints
#
# 10^9 ErF networks of width 20 at six input points, on 4 nodes x 32 ranks, one thread per
# rank.  The numbers are byte-identical to `feynn nnft sample` on one core (only the first
# line, with threads, ranks and time, differs), so a result can be checked on a laptop with a
# smaller --networks, or resumed on another number of nodes.
#
# Memory per rank: the scratch of each thread (the parameters of a batch of 64 networks, their
# outputs and pair products: here about 70 kB) plus the partial sums of one round, 2 x tuples
# x 8 bytes per block of 256 networks, at most 64 blocks and 64 MB (here 0.6 MB), and 12 x
# tuples doubles of totals; rank 0 once more a round to receive the others' blocks.  Here
# under 1 MB per rank: an ensemble is bound by compute, not memory.
#
# The checkpoint folder holds RUN (the run's parameters, as text) and chunk-NNNNNNNN.fyc files
# (running sums, 2 x tuples doubles each, with a header naming the run and a checksum), written
# atomically; the last of each of the 10 [HMS] chunks and the latest are kept.  Remove it once
# the result is safe.
#SBATCH --job-name=feynn-nnft
#SBATCH --nodes=4
#SBATCH --ntasks-per-node=32
#SBATCH --cpus-per-task=1
#SBATCH --mem-per-cpu=500M
#SBATCH --time=12:00:00
#SBATCH --requeue
#SBATCH --signal=B:TERM@120
#SBATCH --output=feynn-nnft-%j.log
set -euo pipefail

FEYNN=${FEYNN:-feynn}
work=${SLURM_SUBMIT_DIR:-$PWD}
spec="$work/nnft_erf20.spec"
cat >"$spec" <<'EOF'
activation erf
width 20
point 0.1
point 0.3
point 0.5
point 0.8
point 1.2
point 2
EOF

export OMP_NUM_THREADS=${SLURM_CPUS_PER_TASK:-1}
# srun starts the ranks (PMIx); `mpirun -np $SLURM_NTASKS` works as well.  Only rank 0 writes
# the result (atomically, to the -o file) and the checkpoints.
srun "$FEYNN" nnft sample "$spec" \
    --networks 1000000000 --seed 1 \
    --threads "$OMP_NUM_THREADS" \
    --checkpoint "$work/nnft_erf20.ckpt" --checkpoint-networks 10000000 \
    --format json -o "$work/nnft_erf20.json"

# A scan over widths instead (one width per rank as ranks come free; rank 0 hands them out):
#   srun "$FEYNN" nnft sample "$spec" --widths 2,5,10,20,50,100,200 --networks 100000000 \
#       --checkpoint "$work/nnft_scan.ckpt" --format json -o "$work/nnft_scan.json"
