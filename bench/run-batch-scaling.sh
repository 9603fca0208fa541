#!/usr/bin/env bash
# What more ranks buy at W + n jets when each rank keeps its points per step (batch_per_rank): the global
# batch grows with the rank count. Trains the same card on 1, 2 and 4 ranks (4 oversubscribe 2 cores: the
# figure of merit is the efficiency, not the time) and prints σ and unweighting efficiencies of NIS and the
# VEGAS warm-up, both measured on fresh samples of equal size with the same maximum-weight policy.
#   bash bench/run-batch-scaling.sh      (JETS=3 PER_RANK=1024 STEPS=300 RANKS="1 2 4" SEED=1)
# Rows go to bench/results/batch-scaling.json (n = 3) or batch-scaling-w<n>.json.
set -euo pipefail
cd "$(dirname "$0")/.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
JETS=${JETS:-3}; PER_RANK=${PER_RANK:-1024}; STEPS=${STEPS:-300}; RANKS=${RANKS:-"1 2 4"}; SEED=${SEED:-1}
OUT=${OUT:-out/bench-batch-w$JETS}
case $JETS in 3) RESULT=bench/results/batch-scaling.json ;; *) RESULT=bench/results/batch-scaling-w$JETS.json ;; esac
process="p p > e+ ve$(printf ' j%.0s' $(seq 1 "$JETS"))"
swift build -c release --product nisgen >/dev/null
bin=$(swift build -c release --show-bin-path)/nisgen
rm -rf "$OUT"; mkdir -p "$OUT" bench/results
"$bin" card "$process" | sed -e "0,/^batch_size = .*/s//batch_per_rank = $PER_RANK/" -e "s/^steps = .*/steps = $STEPS/" \
    -e "s/^seed = .*/seed = $SEED/" -e "s|^directory = .*|directory = \"$OUT\"|" > "$OUT/card.toml"
for n in $RANKS; do
    echo "W + $JETS jets on $n rank(s), $PER_RANK points per rank and step ..." >&2
    mpirun -np "$n" --oversubscribe "$bin" train --card "$OUT/card.toml" --output "$OUT/model-$n.h5" --json "$OUT/train-$n.json" --quiet
done
python3 - "$OUT" "$RESULT" $RANKS <<'PY'
import json, sys
out, result, ranks = sys.argv[1], sys.argv[2], sys.argv[3:]
rows = []
print("| ranks | points per step | σ NIS [pb] | σ VEGAS [pb] | ε NIS | ε VEGAS | NIS / VEGAS | training calls | wall s |")
print("|---|---|---|---|---|---|---|---|---|")
for n in ranks:
    t = json.load(open(f"{out}/train-{n}.json"))
    rows.append(t)
    print(f"| {n} | {t['batch_size']} | {t['cross_section_pb']:.1f} ± {t['error_pb']:.1f} | {t['vegas_cross_section_pb']:.1f} ± {t['vegas_error_pb']:.1f} | "
          f"{t['efficiency']:.3g} | {t['vegas_efficiency']:.3g} | {t['efficiency'] / t['vegas_efficiency']:.2f} | {t['training_calls']:,} | {t['seconds']:.0f} |")
json.dump(rows, open(result, "w"), indent=1)
PY
