#!/usr/bin/env bash
# The cluster engine's benchmarks (release build): training and generation on 1 and 2 ranks at W + 2 jets
# (parallel efficiency, time in collectives), LHEH5 write and LHE conversion throughput for 10^5 and 10^6
# events, unweighted events per CPU second end to end, allreduce latency/bandwidth and the projected
# efficiency at 64–1,024 ranks. Results: bench/results/engine.json and a table on stdout (bench/engine_report.py).
#   bash bench/run-engine.sh            (EVENTS=20000 CARD=cards/wplus_2j.toml to change the job)
set -euo pipefail
cd "$(dirname "$0")/.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
CARD=${CARD:-cards/wplus_2j.toml}
EVENTS=${EVENTS:-20000}
OUT=${OUT:-out/bench-engine}
swift build -c release --product nisgen >/dev/null
swift build -c release --product EngineBench >/dev/null
bin=$(swift build -c release --show-bin-path)
rm -rf "$OUT"; mkdir -p "$OUT" bench/results
# This shared machine is noisy: 1- and 2-rank runs alternate REPEATS times and the report keeps each one's
# fastest run (the job is identical every time: same card, same seed).
REPEATS=${REPEATS:-2}
for k in $(seq 1 "$REPEATS"); do
    for n in 1 2; do
        echo "training on $n rank(s), run $k ..." >&2
        rm -f "$OUT/model-$n-$k.h5"
        mpirun -np "$n" --oversubscribe "$bin/nisgen" train --card "$CARD" --output "$OUT/model-$n-$k.h5" --json "$OUT/train-$n-$k.json" --quiet
    done
done
cp "$OUT/model-1-1.h5" "$OUT/model-1.h5"
for k in $(seq 1 "$REPEATS"); do
    for n in 1 2; do
        echo "generating $EVENTS events on $n rank(s), run $k ..." >&2
        rm -f "$OUT/events-$n-$k".*
        mpirun -np "$n" --oversubscribe "$bin/nisgen" generate --card "$CARD" --model "$OUT/model-1.h5" --events "$EVENTS" \
            --output "$OUT/events-$n-$k.h5" --lhe "$OUT/events-$n-$k.lhe" --seed 5 --quiet
    done
done
for n in 1 2; do
    for e in 100000 1000000; do
        mpirun -np "$n" --oversubscribe "$bin/EngineBench" write "$e" "$OUT" > "$OUT/write-$n-$e.json"
    done
    [ "$n" -gt 1 ] && mpirun -np "$n" --oversubscribe "$bin/EngineBench" allreduce > "$OUT/allreduce-$n.json"
done
python3 bench/engine_report.py "$OUT" bench/results/engine.json
