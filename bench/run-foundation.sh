#!/usr/bin/env bash
# Foundation benchmarks: GEMM rates and allreduce latency at 2 and 4 ranks (release build).
set -euo pipefail
cd "$(dirname "$0")/.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
swift build -c release --product FoundationBench >/dev/null
bin=$(swift build -c release --show-bin-path)/FoundationBench
"$bin" gemm
for n in 2 4; do mpirun -np "$n" --oversubscribe "$bin" allreduce; done
