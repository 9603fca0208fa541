#!/usr/bin/env bash
# What more ranks buy at W + 3 jets when each rank keeps its points per step (batch_per_rank): the global
# batch grows with the rank count. Trains the same card on 1, 2 and 4 ranks (4 oversubscribe 2 cores: the
# figure of merit is the efficiency, not the time) and prints σ and unweighting efficiencies of NIS and the
# VEGAS warm-up, both measured on fresh samples of equal size with the same maximum-weight policy.
#   bash bench/run-batch-scaling.sh      (PER_RANK=2048 STEPS=150 RANKS="1 2 4" SEED=1)
set -euo pipefail
cd "$(dirname "$0")/.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
PER_RANK=${PER_RANK:-2048}; STEPS=${STEPS:-150}; RANKS=${RANKS:-"1 2 4"}; SEED=${SEED:-1}
OUT=${OUT:-out/bench-batch}
swift build -c release --product nisgen >/dev/null
bin=$(swift build -c release --show-bin-path)/nisgen
rm -rf "$OUT"; mkdir -p "$OUT" bench/results
"$bin" card "p p > e+ ve j j j" | sed -e "0,/^batch_size = .*/s//batch_per_rank = $PER_RANK/" -e "s/^steps = .*/steps = $STEPS/" \
    -e "s/^seed = .*/seed = $SEED/" -e "s|^directory = .*|directory = \"$OUT\"|" > "$OUT/w3.toml"
for n in $RANKS; do
    echo "W + 3 jets on $n rank(s), $PER_RANK points per rank and step ..." >&2
    mpirun -np "$n" --oversubscribe "$bin" train --card "$OUT/w3.toml" --output "$OUT/model-$n.h5" --json "$OUT/train-$n.json" --quiet
done
python3 - "$OUT" $RANKS <<'PY'
import json, sys
out, ranks = sys.argv[1], sys.argv[2:]
rows = []
print("| ranks | points per step | σ NIS [pb] | σ VEGAS [pb] | ε NIS | ε VEGAS | NIS / VEGAS | training calls | wall s |")
print("|---|---|---|---|---|---|---|---|---|")
for n in ranks:
    t = json.load(open(f"{out}/train-{n}.json"))
    rows.append(t)
    print(f"| {n} | {t['batch_size']} | {t['cross_section_pb']:.1f} ± {t['error_pb']:.1f} | {t['vegas_cross_section_pb']:.1f} ± {t['vegas_error_pb']:.1f} | "
          f"{t['efficiency']:.3g} | {t['vegas_efficiency']:.3g} | {t['efficiency'] / t['vegas_efficiency']:.2f} | {t['training_calls']:,} | {t['seconds']:.0f} |")
json.dump(rows, open("bench/results/batch-scaling.json", "w"), indent=1)
PY
